import { uploadContentType, uploadFilename } from './attachment-upload';

describe('upload names and types', () => {
  it('undoes the latin1 reading of UTF-8 filenames, keeps real latin1 names', () => {
    expect(uploadFilename(Buffer.from('Rechnung März €.pdf', 'utf8').toString('latin1'))).toBe('Rechnung März €.pdf');
    // a lone 0xE9 byte is not UTF-8: the name really was latin1 and stays as sent
    expect(uploadFilename('caf\u00e9.txt')).toBe('café.txt');
  });

  it('drops paths and control characters, never answers an empty name', () => {
    expect(uploadFilename('../../etc/passwd')).toBe('passwd');
    expect(uploadFilename('C:\\Users\\me\\report.pdf')).toBe('report.pdf');
    expect(uploadFilename('a\u0000b\r\n.txt')).toBe('ab.txt');
    expect(uploadFilename('   ')).toBe('attachment');
    expect(uploadFilename('x'.repeat(300))).toHaveLength(255);
  });

  it('keeps a well-formed type without parameters, else the neutral binary type', () => {
    expect(uploadContentType('Text/CSV; charset=utf-8')).toBe('text/csv');
    expect(uploadContentType('application/vnd.openxmlformats-officedocument.wordprocessingml.document')).toBe(
      'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
    );
    expect(uploadContentType('text html')).toBe('application/octet-stream');
    expect(uploadContentType('text/<script>')).toBe('application/octet-stream');
    expect(uploadContentType(undefined)).toBe('application/octet-stream');
  });
});
