// The colours of the states, shared by every picture of the graph so they read the same.
import type { ViewState } from './model.js';

export interface Colours {
  fill: string;
  stroke: string;
}

export const PALETTE: Record<ViewState, Colours> = {
  'up-to-date': { fill: '#c8e6c9', stroke: '#2e7d32' },
  'to-run': { fill: '#fff1c1', stroke: '#a07800' },
  running: { fill: '#bbdefb', stroke: '#1565c0' },
  failed: { fill: '#ffcdd2', stroke: '#c62828' },
};
