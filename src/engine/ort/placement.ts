// Which execution provider ORT assigned each node to, read from ORT's verbose session log
// (session_state.cc VerifyEachNodeIsAssignedToAnEp: "Node placements", then per EP either
// "All nodes placed on [EP]. Number of nodes: N" or "Node(s) placed on [EP]. Number of nodes: N"
// followed by one "  OpType (node name)" line per node).

export interface Placement {
  /** Node count per execution provider name. */
  counts: Record<string, number>;
  /** Op types (with node names) per provider, when ORT listed them. */
  nodes: Record<string, string[]>;
}

const ALL = /All nodes placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const SOME = /Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)/;
const NODE = /^\S+ \(.*\)$/;
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*m/g;
const LOG_PREFIX = /^\S+ \S+ \[[VIWEF]:onnxruntime:[^\]]*\]\s?/;

export function parsePlacement(entries: readonly string[]): Placement | null {
  // One console call may hold several lines (ORT logs a whole EP block as one message).
  const lines = entries.flatMap((e) => e.replace(ANSI, '').split('\n'));
  const start = lines.findIndex((l) => l.includes('VerifyEachNodeIsAssignedToAnEp') && l.includes('Node placements'));
  if (start < 0) return null;
  const placement: Placement = { counts: {}, nodes: {} };
  let current: string | null = null;
  for (let i = start + 1; i < lines.length; i++) {
    const line = lines[i];
    const logged = LOG_PREFIX.test(line);
    if (logged && !line.includes('VerifyEachNodeIsAssignedToAnEp')) break;
    const all = ALL.exec(line);
    const some = SOME.exec(line);
    if (all) {
      placement.counts[all[1]] = Number(all[2]);
      current = null;
    } else if (some) {
      placement.counts[some[1]] = Number(some[2]);
      placement.nodes[some[1]] = [];
      current = some[1];
    } else if (!logged && line.trim() !== '' && !/^\s/.test(line)) {
      break; // node lines are indented; anything else ends the block
    } else if (current) {
      // Node lines read "OpType (node name)"; the same function also logs a warning sentence
      // ("Some nodes were not assigned ...", with colour codes), which is not a node.
      const node = line.replace(LOG_PREFIX, '').replace(/^.*VerifyEachNodeIsAssignedToAnEp\]\s*/, '').trim();
      if (NODE.test(node)) placement.nodes[current].push(node);
    }
  }
  return placement;
}

/** Nodes ORT put on the CPU EP (0 when it logged none). */
export function cpuNodeCount(p: Placement): number {
  return p.counts.CPUExecutionProvider ?? 0;
}

export { withOrtLog } from './ort-log-tap.ts';
