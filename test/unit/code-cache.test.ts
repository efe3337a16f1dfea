// The code cache file (src/code-cache.ts): V8's data is handed back only for the exact text it
// was made for, and only whole.

import { codeCacheReport, packCodeCache, setCodeCacheReport, unpackCodeCache } from '../../src/code-cache.js';

const TEXT = '(function () { return 1; })';
const DATA = Buffer.from('v8 code cache bytes, as V8 made them');

describe('code cache file', () => {
  test('gives back the data for the text it was made for', () => {
    expect(unpackCodeCache(TEXT, packCodeCache(TEXT, DATA))).toEqual(DATA);
  });

  test('gives nothing for another text of the same length', () => {
    const other = TEXT.replace('1', '2');
    expect(other.length).toBe(TEXT.length);
    expect(unpackCodeCache(other, packCodeCache(TEXT, DATA))).toBeUndefined();
  });

  test('gives nothing for a damaged, cut or empty file', () => {
    const file = packCodeCache(TEXT, DATA);
    for (let i = 0; i < file.length; i += 7) {
      const damaged = Buffer.from(file);
      damaged[i]! ^= 0x01;
      expect(unpackCodeCache(TEXT, damaged)).toBeUndefined();
    }
    expect(unpackCodeCache(TEXT, file.subarray(0, file.length - 1))).toBeUndefined();
    expect(unpackCodeCache(TEXT, file.subarray(0, 20))).toBeUndefined();
    expect(unpackCodeCache(TEXT, Buffer.alloc(0))).toBeUndefined();
  });

  test('the report is "off" until the executable sets it', () => {
    expect(codeCacheReport()).toEqual({ state: 'off', writing: false });
    setCodeCacheReport({ state: 'used', writing: false });
    expect(codeCacheReport()).toEqual({ state: 'used', writing: false });
  });
});
