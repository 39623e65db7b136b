// jstat ships no type declarations; this covers the one function the experiment layer uses.
declare module 'jstat' {
  export const jStat: {
    studentt: { inv(p: number, dof: number): number };
  };
}
