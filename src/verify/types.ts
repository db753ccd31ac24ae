// One line of a `verify` report: a golden tensor compared with the port's output.
export interface VerifyRow {
  case: string;
  tensor: string;
  maxAbs: number;
  rmsRef: number;
  tol: number;
  pass: boolean;
}
