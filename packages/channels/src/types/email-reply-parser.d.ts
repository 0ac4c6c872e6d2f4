declare module 'email-reply-parser' {
  interface Fragment {
    getContent(): string;
    isHidden(): boolean;
    isSignature(): boolean;
    isQuoted(): boolean;
  }
  interface Email {
    getFragments(): Fragment[];
    getVisibleText(): string;
    getQuotedText(): string;
  }
  class EmailReplyParser {
    read(text: string): Email;
    parseReply(text: string): string;
    parseReplied(text: string): string;
  }
  export = EmailReplyParser;
}
