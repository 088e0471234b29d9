import { describe, expect, it } from 'vitest';
import { RecentKeys } from '../src/events/recent-keys.ts';

describe('RecentKeys', () => {
  it('remembers a key for the window, then forgets it', () => {
    const keys = new RecentKeys(1_000, 10);
    expect(keys.seenOrRecord('a', 0)).toBe(false);
    expect(keys.seenOrRecord('a', 1_000)).toBe(true);
    expect(keys.seenOrRecord('a', 1_001)).toBe(false);
    expect(keys.seenOrRecord('a', 1_500)).toBe(true);
  });

  it('keeps a key recorded again after it expired, when its older recording is dropped', () => {
    const keys = new RecentKeys(1_000, 10);
    keys.seenOrRecord('a', 0);
    keys.seenOrRecord('a', 1_500);
    // Dropping the recording from 0 must not forget the one from 1,500.
    keys.seenOrRecord('b', 1_600);
    expect(keys.size).toBe(2);
    expect(keys.seenOrRecord('a', 2_400)).toBe(true);
  });

  it('forgets the oldest keys beyond maxKeys', () => {
    const keys = new RecentKeys(1_000_000, 3);
    for (const key of ['a', 'b', 'c', 'd']) expect(keys.seenOrRecord(key, 1)).toBe(false);
    expect(keys.size).toBe(3);
    expect(keys.seenOrRecord('a', 2)).toBe(false);
    expect(keys.seenOrRecord('d', 2)).toBe(true);
  });

  it('holds its bound and its window over many keys, in order', () => {
    const keys = new RecentKeys(10_000, 50_000);
    let fresh = 0;
    for (let i = 0; i < 200_000; i++) if (!keys.seenOrRecord(`k${i}`, i)) fresh++;
    expect(fresh).toBe(200_000);
    // The window (10,000 ms at one key per ms) binds before maxKeys.
    expect(keys.size).toBe(10_001);
    expect(keys.seenOrRecord('k189999', 199_999)).toBe(true);
    expect(keys.seenOrRecord('k189998', 199_999)).toBe(false);
  });
});
