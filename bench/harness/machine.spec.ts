import { parseStall, pressure } from './machine';

describe('pressure stall information', () => {
  it('reads the share of time some task waited, over 10 and 60 s', () => {
    const text = [
      'some avg10=47.64 avg60=15.59 avg300=12.52 total=2482193594',
      'full avg10=47.20 avg60=14.48 avg300=11.48 total=1930851734',
    ].join('\n');
    expect(parseStall(text)).toEqual({ avg10: 47.64, avg60: 15.59 });
    expect(parseStall('full avg10=1.00 avg60=2.00 avg300=0 total=0')).toBeUndefined();
    expect(parseStall('')).toBeUndefined();
  });

  it('is read from /proc where the kernel has it, and is undefined elsewhere', () => {
    const p = pressure();
    if (p === undefined) return; // no /proc/pressure here: nothing more to check
    for (const stall of [p.cpu, p.io]) {
      if (!stall) continue;
      expect(stall.avg10).toBeGreaterThanOrEqual(0);
      expect(stall.avg60).toBeLessThanOrEqual(100);
    }
  });
});
