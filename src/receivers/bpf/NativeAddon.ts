/** Typed view of the C addon in native/ (a thin layer over libbpf). */
import * as path from 'path';
import * as fs from 'fs';

export type ObjectHandle = { readonly __brand: 'BpfObjectHandle' };

export interface ProgramInfo {
  name: string;
  section: string;
  autoload: boolean;
}

export interface MapInfo {
  name: string;
  type: number;
  maxEntries: number;
  valueSize: number;
  fd: number;
}

export interface NativeFeatures {
  btf: boolean;
  tracepointProg: boolean;
  rawTracepointProg: boolean;
  kprobeProg: boolean;
  ringbuf: boolean;
  tpBtf: boolean;
  fentry: boolean;
}

export interface NativeAddon {
  open(objectPath: string): ObjectHandle;
  programs(h: ObjectHandle): ProgramInfo[];
  maps(h: ObjectHandle): MapInfo[];
  setAutoload(h: ObjectHandle, program: string, on: boolean): void;
  setRodata(h: ObjectHandle, variable: string, value: Buffer): void;
  setMaxEntries(h: ObjectHandle, map: string, entries: number): void;
  load(h: ObjectHandle): void;
  attach(h: ObjectHandle, program: string): void;
  attachUprobe(h: ObjectHandle, program: string, binaryPath: string, funcName: string, retprobe: boolean): void;
  reuseMap(h: ObjectHandle, map: string, from: ObjectHandle, fromMap: string): void;
  mapLookup(h: ObjectHandle, map: string, key: Buffer): Buffer | null;
  mapUpdate(h: ObjectHandle, map: string, key: Buffer, value: Buffer): void;
  mapDelete(h: ObjectHandle, map: string, key: Buffer): boolean;
  mapNextKey(h: ObjectHandle, map: string, key: Buffer | null): Buffer | null;
  /** Returns the ring's index for ringBufferReady; onBatch gets the next batch only after enough are acknowledged. */
  startRingBuffer(h: ObjectHandle, map: string, onBatch: (batch: Buffer, records: number) => void): number;
  /** JS is done with one batch of ring `index`: the consumer may hand over more. */
  ringBufferReady(h: ObjectHandle, index: number): void;
  detach(h: ObjectHandle): void;
  close(h: ObjectHandle): void;
  probeFeatures(): NativeFeatures;
  numPossibleCpus(): number;
}

/** Package root: dist/src/receivers/bpf → four levels up. */
export const PACKAGE_ROOT = path.resolve(__dirname, '..', '..', '..', '..');

export const ADDON_PATH = path.join(PACKAGE_ROOT, 'native', 'build', 'Release', 'kspan_bpf.node');

export function bpfObjectPath(family: string): string {
  return path.join(PACKAGE_ROOT, 'bpf', `${family}.bpf.o`);
}

let cached: NativeAddon | undefined;

/** Loads the addon once; throws an Error with a one-line reason if it cannot. */
export function loadNativeAddon(): NativeAddon {
  if (cached) return cached;
  if (!fs.existsSync(ADDON_PATH)) {
    throw new Error(`native addon not built (${ADDON_PATH} missing): run "npm run build"`);
  }
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    cached = require(ADDON_PATH) as NativeAddon;
  } catch (err) {
    const msg = (err as Error).message.split('\n')[0];
    throw new Error(`cannot load native addon (is libbpf installed?): ${msg}`);
  }
  return cached;
}
