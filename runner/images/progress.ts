import type { ImageEvent } from './ensure.js';

/** What one image's row shows while images build: a pure fold over build events. */
export interface ImageRow {
  readonly name: string;
  readonly status: 'waiting' | 'building' | 'done' | 'present' | 'failed';
  readonly step: number;
  readonly total: number;
  readonly text: string;
  readonly cachedSteps: number;
  readonly ms: number;
  readonly error?: string;
}

export interface ImagesState {
  readonly rows: readonly ImageRow[];
  readonly base: readonly string[];
}

export function initialImagesState(names: readonly string[]): ImagesState {
  return { rows: names.map((name) => ({ name, status: 'waiting', step: 0, total: 0, text: '', cachedSteps: 0, ms: 0 })), base: [] };
}

export function reduceImages(state: ImagesState, e: ImageEvent): ImagesState {
  if (e.kind === 'base') return { ...state, base: [...state.base, e.line].slice(-3) };
  if (e.kind === 'output') return state;
  const exists = state.rows.some((r) => r.name === e.name);
  const rows = exists ? state.rows : [...state.rows, { name: e.name, status: 'waiting' as const, step: 0, total: 0, text: '', cachedSteps: 0, ms: 0 }];
  return {
    ...state,
    rows: rows.map((r): ImageRow => {
      if (r.name !== e.name) return r;
      switch (e.kind) {
        case 'start':
          return { ...r, status: 'building' };
        case 'step':
          return { ...r, status: 'building', step: e.step, total: e.total, text: e.text };
        case 'cached':
          return { ...r, cachedSteps: r.cachedSteps + 1 };
        case 'done':
          return { ...r, status: e.built ? 'done' : 'present', ms: e.ms };
        case 'failed':
          return { ...r, status: 'failed', error: e.error };
      }
    }),
  };
}
