// The heap flags the controller sets for itself: per mode, and never over an operator's own.
import { heapFlagsFor } from '../../../src/cli/heap-flags.js';

describe('heapFlagsFor', () => {
  it('a one-shot run (or --dry) keeps the young generation small and leaves old-generation growth to V8', () => {
    expect(heapFlagsFor({ mode: 'once', dry: false }, [])).toEqual(['--semi-space-growth-factor=1']);
    expect(heapFlagsFor({ mode: 'sse', dry: true }, [])).toEqual(['--semi-space-growth-factor=1']);
  });

  it('a long-running controller also bounds how far the old generation grows between collections', () => {
    for (const mode of ['sse', 'poll', 'event'] as const) {
      expect(heapFlagsFor({ mode, dry: false }, ['--enable-source-maps'])).toEqual(['--semi-space-growth-factor=1', '--heap-growing-percent=20']);
    }
  });

  it('sets nothing when the operator tunes the heap', () => {
    for (const own of ['--max-old-space-size=512', '--max-semi-space-size=8', '--max_semi_space_size=8', '--heap-growing-percent=50', '--max-heap-size=300']) {
      expect(heapFlagsFor({ mode: 'poll', dry: false }, ['', own])).toEqual([]);
    }
  });
});
