import { expect } from 'chai';
import { interruptedLine } from '../../local/progress.ts';

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
  });
});
