/**
 * Presets: real chips as approximations in the template, built from data/reference/chips.json (a copy of
 * shared/reference/chips.json). The MAC arrays are the chips' own; the clock is set so that units × clock
 * gives the published dense peak exactly (the published clock is kept beside it for comparison). Buffer,
 * bandwidth and lane figures the chips do not publish are estimates, marked in `assumptions`.
 */
import { readFileSync } from 'node:fs';
import type { Design } from './design.js';
import { areaMm2, peakTflops, tdpW } from './cost.js';
import { InputError, nearest } from '../errors.js';

export const CHIPS_FILE = new URL('../../data/reference/chips.json', import.meta.url);

interface Chip {
  name: string;
  peakBf16Tflops?: number;
  peakFp16Tflops?: number;
  peakGmacs?: number;
  clockMHz?: number | null;
  tdpW?: number | null;
  dieMm2?: number | null;
  sources: string[];
}

const KIB = 1024;
const MIB = 2 ** 20;
const GIB = 2 ** 30;

interface PresetSpec {
  chip: string;
  /** the template design without its clock (derived from the published peak when there is one) */
  design: Omit<Design, 'clockGHz'>;
  /** clock to use when the chip publishes no peak */
  clockGHz?: number;
  assumptions: string[];
}

/**
 * Single-stream execution's gap between one kernel and the next, by preset family (EvaluateOptions.launchOverheadS):
 * GPUs 4 µs (estimate: a CUDA kernel launch takes a few microseconds, 2–5 µs in NVIDIA's and PyTorch's
 * guidance, and eager PyTorch issues one kernel per op on one stream); TPUs 0 (XLA compiles the step into one
 * program, no per-op launch); the research chips 0 (one layer at a time from a controller). One value per
 * family, not fitted to any row.
 */
export const LAUNCH_OVERHEAD_S: Record<'gpu' | 'tpu' | 'research', number> = { gpu: 4e-6, tpu: 0, research: 0 };

/**
 * Single-stream execution's cap on each array's MAC rate, as a share of its peak (EvaluateOptions.arrayRateFraction):
 * what the chip's vendor GEMM library is measured to sustain. v100 83/125 = 0.664: Markidis et al., "NVIDIA Tensor
 * Core Programmability, Performance & Precision" (IPDPSW 2018) measured at most 83 TFLOP/s in mixed precision from
 * the V100's tensor cores (cuBLAS, CUTLASS and WMMA) against the 125 TFLOP/s peak. A published measurement, not
 * fitted on any row of `validate`. The other presets have no such measurement here and keep 1 (the folds of the
 * mapping alone: the kernel's own tiles reach 88-94% of peak on large GEMMs).
 */
export const ARRAY_RATE_FRACTION: Readonly<Record<string, number>> = { v100: 83 / 125 };

function family(name: string): keyof typeof LAUNCH_OVERHEAD_S {
  if (name.startsWith('tpu')) return 'tpu';
  if (name === 'v100' || name === 'a100' || name === 'h100') return 'gpu';
  return 'research';
}

const SPECS: Record<string, PresetSpec> = {
  'tpu-v2': {
    chip: 'tpu-v2',
    design: {
      tensorCores: 2, tcRows: 128, tcCols: 128, vectorCores: 2, vectorLanes: 1024,
      localBufferBytes: 4 * MIB, globalBufferBytes: 32 * MIB, globalBufferGBs: 8000,
      offChipBytes: 16 * GIB, offChipGBs: 600, nocGBs: 8000, precision: 'bf16', dataflow: 'ws', techNm: 16,
    },
    assumptions: ['vector unit 8 sublanes x 128 lanes per TensorCore', 'local buffer 4 MiB per MXU (weights + accumulators)', 'global buffer = VMEM 16 MiB per TensorCore', 'VMEM and network bandwidth 8 TB/s (vector loads of 8 x 128 x 4 B per cycle per TensorCore, plus stores and MXU traffic)'],
  },
  'tpu-v3': {
    chip: 'tpu-v3',
    design: {
      tensorCores: 4, tcRows: 128, tcCols: 128, vectorCores: 2, vectorLanes: 1024,
      localBufferBytes: 4 * MIB, globalBufferBytes: 32 * MIB, globalBufferGBs: 12000,
      offChipBytes: 32 * GIB, offChipGBs: 900, nocGBs: 12000, precision: 'bf16', dataflow: 'ws', techNm: 16,
    },
    assumptions: ['vector unit 8 x 128 lanes per TensorCore', 'local buffer 4 MiB per MXU', 'global buffer = VMEM 16 MiB per TensorCore', 'VMEM and network bandwidth 12 TB/s (as v2, at 940 MHz and 2 MXUs per core)'],
  },
  'tpu-v4': {
    chip: 'tpu-v4',
    design: {
      tensorCores: 8, tcRows: 128, tcCols: 128, vectorCores: 2, vectorLanes: 1024,
      localBufferBytes: 4 * MIB, globalBufferBytes: 160 * MIB, globalBufferGBs: 16000,
      offChipBytes: 32 * GIB, offChipGBs: 1200, nocGBs: 16000, precision: 'bf16', dataflow: 'ws', techNm: 7,
    },
    assumptions: ['vector unit 8 x 128 lanes per TensorCore', 'local buffer 4 MiB per MXU', 'global buffer = VMEM 2 x 16 MiB + CMEM 128 MiB', 'VMEM and network bandwidth 16 TB/s (as v3, 4 MXUs per core)'],
  },
  nvdla: {
    chip: 'nvdla-nv_full',
    design: {
      tensorCores: 1, tcRows: 32, tcCols: 32, vectorCores: 1, vectorLanes: 16,
      localBufferBytes: 512 * KIB, globalBufferBytes: 512 * KIB, globalBufferGBs: 128,
      offChipBytes: 4 * GIB, offChipGBs: 64, nocGBs: 128, precision: 'fp16', dataflow: 'ws', techNm: 16,
    },
    clockGHz: 1.0,
    assumptions: ['1024 fp16 MACs as a 32 x 32 array', 'clock 1 GHz (not published)', 'convolution buffer 512 KiB as local and global buffer', '512-bit memory interface at 1 GHz = 64 GB/s', 'SDP as 16 vector lanes'],
  },
  eyeriss: {
    chip: 'eyeriss-v1',
    design: {
      tensorCores: 1, tcRows: 12, tcCols: 14, vectorCores: 1, vectorLanes: 1,
      localBufferBytes: 168 * (448 + 24 + 48), globalBufferBytes: 108 * 1000, globalBufferGBs: 3.2,
      offChipBytes: 1 * GIB, offChipGBs: 1.6, nocGBs: 12.8, precision: 'fp16', dataflow: 'rs', techNm: 65,
    },
    assumptions: ['16-bit fixed point modelled as a 2-byte precision', 'no vector unit on the chip (ReLU is in the PE pipeline): one lane', 'local buffer = the 168 PE scratchpads (448 + 24 + 48 B each)', 'global buffer 108 KB at 16 B per cycle (3.2 GB/s), calibrated: VGG-16 CONV1-1 to CONV4-3 all moved 2.96-3.07 GB/s of global-buffer accesses over their processing latency (data/reference/eyeriss-vgg16.csv), a plateau no AlexNet layer reaches (1.1-2.5 GB/s)', '64-bit off-chip interface at 200 MHz = 1.6 GB/s', 'row-stationary dataflow; each PE\'s 520 B of scratchpad split 448 : 24 : 48 (filter, ifmap, psum)'],
  },
  v100: {
    chip: 'v100-sxm2',
    design: {
      tensorCores: 80, tcRows: 16, tcCols: 32, vectorCores: 80, vectorLanes: 64,
      localBufferBytes: 96 * KIB, globalBufferBytes: 6 * MIB, globalBufferGBs: 2500,
      offChipBytes: 32e9, offChipGBs: 900, nocGBs: 2500, precision: 'fp16', dataflow: 'os', techNm: 12,
    },
    assumptions: ['one 16 x 32 array per SM (8 tensor cores x 64 FMA)', 'one vector core of 64 fp32 lanes per SM', 'local buffer = shared memory per SM', 'L2 bandwidth ~2.5 TB/s (estimate)', 'TSMC 12 nm FFN: the 12 nm node (16 nm density, 25% less energy)'],
  },
  a100: {
    chip: 'a100-sxm4-80gb',
    design: {
      tensorCores: 108, tcRows: 32, tcCols: 32, vectorCores: 108, vectorLanes: 64,
      localBufferBytes: 164 * KIB, globalBufferBytes: 40 * MIB, globalBufferGBs: 5000,
      offChipBytes: 80e9, offChipGBs: 2039, nocGBs: 5000, precision: 'bf16', dataflow: 'os', techNm: 7,
    },
    assumptions: ['one 32 x 32 array per SM (1024 dense FMA per clock)', 'one vector core of 64 fp32 lanes per SM', 'local buffer = shared memory per SM', 'L2 bandwidth ~5 TB/s (estimate)'],
  },
  h100: {
    chip: 'h100-sxm5',
    design: {
      tensorCores: 132, tcRows: 32, tcCols: 64, vectorCores: 132, vectorLanes: 128,
      localBufferBytes: 228 * KIB, globalBufferBytes: 50 * MIB, globalBufferGBs: 10000,
      offChipBytes: 80e9, offChipGBs: 3350, nocGBs: 10000, precision: 'bf16', dataflow: 'os', techNm: 5,
    },
    assumptions: ['one 32 x 64 array per SM (2048 dense FMA per clock)', 'one vector core of 128 fp32 lanes per SM', 'clock not published: derived from the peak', 'L2 bandwidth ~10 TB/s (estimate)', '4N modelled as the 5 nm node'],
  },
};

export const PRESET_NAMES: readonly string[] = Object.keys(SPECS);

function readChips(): Chip[] {
  return JSON.parse(readFileSync(CHIPS_FILE, 'utf8')).chips as Chip[];
}

export interface PublishedFigures {
  chip: string;
  peakTflops: number | null;
  clockGHz: number | null;
  areaMm2: number | null;
  tdpW: number | null;
  sources: string[];
}

export interface PresetInfo {
  name: string;
  peakTflops: number;
  areaMm2: number;
  tdpW: number;
  hbmGBs: number;
  design: Design;
  published: PublishedFigures;
  assumptions: string[];
  /** single-stream launch gap of the preset's family, s (LAUNCH_OVERHEAD_S) */
  launchOverheadS: number;
  /** single-stream cap on the arrays' MAC rate, share of peak (ARRAY_RATE_FRACTION; 1 where none is published) */
  arrayRateFraction: number;
}

function published(chip: Chip): PublishedFigures {
  const peak = chip.peakBf16Tflops ?? chip.peakFp16Tflops ?? (chip.peakGmacs !== undefined ? (2 * chip.peakGmacs) / 1000 : null);
  return {
    chip: chip.name,
    peakTflops: peak,
    clockGHz: chip.clockMHz ? chip.clockMHz / 1000 : null,
    areaMm2: chip.dieMm2 ?? null,
    tdpW: chip.tdpW ?? null,
    sources: chip.sources,
  };
}

function buildPresets(): { designs: Record<string, Design>; published: Record<string, PublishedFigures> } {
  const chips = new Map(readChips().map((c) => [c.name, c]));
  const designs: Record<string, Design> = {};
  const pub: Record<string, PublishedFigures> = {};
  for (const [name, spec] of Object.entries(SPECS)) {
    const chip = chips.get(spec.chip);
    if (!chip) throw new Error(`${CHIPS_FILE.pathname}: no chip '${spec.chip}' for preset '${name}'`);
    const p = published(chip);
    const macs = spec.design.tensorCores * spec.design.tcRows * spec.design.tcCols;
    const clockGHz = p.peakTflops !== null ? (p.peakTflops * 1e12) / (2 * macs) / 1e9 : (spec.clockGHz ?? p.clockGHz ?? 1);
    designs[name] = Object.freeze({ ...spec.design, clockGHz });
    pub[name] = p;
  }
  return { designs, published: pub };
}

const BUILT = buildPresets();

/** Preset designs by name (frozen). */
export const PRESETS: Readonly<Record<string, Design>> = Object.freeze(BUILT.designs);

export function presetDesign(name: string): Design {
  const d = PRESETS[name];
  if (!d) {
    const hint = nearest(name, PRESET_NAMES);
    throw new InputError(`unknown preset '${name}'${hint ? ` (did you mean '${hint}'?)` : ''}; presets: ${PRESET_NAMES.join(', ')}`);
  }
  return { ...d };
}

export function presetInfo(name: string): PresetInfo {
  const design = presetDesign(name);
  return {
    name,
    peakTflops: peakTflops(design),
    areaMm2: areaMm2(design),
    tdpW: tdpW(design),
    hbmGBs: design.offChipGBs,
    design,
    published: BUILT.published[name],
    assumptions: SPECS[name].assumptions,
    launchOverheadS: LAUNCH_OVERHEAD_S[family(name)],
    arrayRateFraction: ARRAY_RATE_FRACTION[name] ?? 1,
  };
}
