import { CreateDateColumn, Entity, ManyToOne, PrimaryColumn } from 'typeorm';
import { Message } from './message.entity';

/**
 * A Message-ID that an inbound mail answers (In-Reply-To/References) but that we had not seen when
 * it came: the mail it names was delayed (greylisting, a retrying server) or is still on its way.
 * When that mail reaches us later, it joins the thread of the mail that answers it instead of
 * opening a second thread for one conversation. Only replies whose references found no thread
 * write here, so the table stays small; the thread is read through the message, so it follows a
 * split or merge.
 */
@Entity('mail_awaited_ids')
export class MailAwaitedId {
  @PrimaryColumn({ type: 'text' }) messageIdHeader: string;
  @PrimaryColumn({ type: 'uuid' }) messageId: string;
  @ManyToOne(() => Message, { onDelete: 'CASCADE' }) message: Message;
  @CreateDateColumn({ type: 'timestamptz', precision: 3 }) createdAt: Date;
}
