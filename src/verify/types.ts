// One line of a `verify` report: a golden tensor compared with the port's output.
export interface VerifyRow {
  case: string;
  tensor: string;
  maxAbs: number;
  rmsRef: number;
  tol: number;
  pass: boolean;
  /**
   * What the row checks. 'tolerance' (default): maxAbs ≤ tol. 'exact': maxAbs (a difference or a
   * count of differing values, as the tensor label says) must be 0. 'info': shown for comparison,
   * never failing (tol is Infinity).
   */
  check?: 'tolerance' | 'exact' | 'info';
}
