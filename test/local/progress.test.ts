import { expect } from 'chai';
import { interruptedLine, messagesSent } from '../../local/cli/progress.ts';

describe('local/progress', () => {
  describe('interruptedLine', () => {
    it("on a terminal, erases the line first (the progress line and the terminal's ^C)", () => {
      expect(interruptedLine({ isTTY: true, write: () => true }, 148, 1500)).to.equal(
        '\r\x1b[KInterrupted after 148 of 1500 messages delivered; the emulators are stopped.\n',
      );
    });

    it('elsewhere, is the plain line', () => {
      expect(interruptedLine({ write: () => true }, 0, 10)).to.equal(
        'Interrupted after 0 of 10 messages delivered; the emulators are stopped.\n',
      );
    });

    it('leaves the total out where the workflow has none to expect (the at-scale one), rather than "of 0"', () => {
      expect(interruptedLine({ write: () => true }, 20000, 0)).to.equal(
        'Interrupted after 20000 messages delivered; the emulators are stopped.\n',
      );
    });
  });

  describe('messagesSent', () => {
    it('counts one message for a SendMessage', () => {
      expect(messagesSent('sqs', 'sendMessage', { MessageId: 'm' })).to.equal(1);
    });

    it("counts a SendMessageBatch's Successful entries, not its Failed ones", () => {
      const output = { Successful: [{ Id: 'a' }, { Id: 'b' }, { Id: 'c' }], Failed: [{ Id: 'd', SenderFault: false, Code: 'InternalError', Message: 'x' }] };
      expect(messagesSent('sqs', 'sendMessageBatch', output)).to.equal(3);
      expect(messagesSent('sqs', 'sendMessageBatch', { Successful: [], Failed: [] })).to.equal(0);
    });

    it('counts nothing for another call', () => {
      expect(messagesSent('dynamodb', 'batchGetItem', { Responses: {} })).to.equal(0);
      expect(messagesSent('sqs', 'receiveMessage', { Messages: [{}] })).to.equal(0);
    });
  });
});
