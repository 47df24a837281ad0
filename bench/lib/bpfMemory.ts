/**
 * BPF map memory held by one process. The maps are found through the
 * process's own file descriptors (/proc/PID/fdinfo of each anon_inode:bpf-map
 * shows map_id and memlock), so maps of any other kspan running on the same
 * machine are never counted; bytes come from `bpftool map show -j`
 * (bytes_memlock) when available, else from fdinfo.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';

export interface BpfMapUse {
  id: number;
  name: string;
  type: string;
  bytes: number;
}

export interface BpfMemory {
  totalBytes: number;
  source: 'bpftool' | 'fdinfo';
  maps: BpfMapUse[];
}

interface FdMap {
  id: number;
  memlock: number;
  type: string;
}

function mapsOfPid(pid: number): FdMap[] {
  const out = new Map<number, FdMap>();
  for (const fd of fs.readdirSync(`/proc/${pid}/fd`)) {
    let target: string;
    try {
      target = fs.readlinkSync(`/proc/${pid}/fd/${fd}`);
    } catch {
      continue; // closed meanwhile
    }
    if (target !== 'anon_inode:bpf-map') continue;
    const info = fs.readFileSync(`/proc/${pid}/fdinfo/${fd}`, 'utf8');
    const field = (k: string) => new RegExp(`^${k}:\\s+(\\S+)`, 'm').exec(info)?.[1];
    const id = Number(field('map_id'));
    if (Number.isFinite(id)) out.set(id, { id, memlock: Number(field('memlock') ?? 0), type: field('map_type') ?? '?' });
  }
  return [...out.values()];
}

interface BpftoolMap {
  id: number;
  name?: string;
  type?: string;
  bytes_memlock?: number;
}

function bpftoolMaps(): Map<number, BpftoolMap> | undefined {
  try {
    const list = JSON.parse(execFileSync('bpftool', ['map', 'show', '-j'], { maxBuffer: 64 << 20 }).toString()) as BpftoolMap[];
    return new Map(list.map((m) => [m.id, m]));
  } catch {
    return undefined;
  }
}

export function bpfMemoryOf(pid: number): BpfMemory {
  const fdMaps = mapsOfPid(pid);
  const tool = bpftoolMaps();
  const maps = fdMaps.map((m): BpfMapUse => {
    const t = tool?.get(m.id);
    return { id: m.id, name: t?.name ?? '?', type: t?.type ?? m.type, bytes: t?.bytes_memlock ?? m.memlock };
  });
  return { totalBytes: maps.reduce((s, m) => s + m.bytes, 0), source: tool ? 'bpftool' : 'fdinfo', maps };
}
