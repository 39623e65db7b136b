/** The part of jStat (MIT, no dependencies) this model uses: the normal distribution. */
declare module 'jstat' {
  interface Normal {
    cdf(x: number, mean: number, sd: number): number;
    inv(p: number, mean: number, sd: number): number;
  }
  const jstat: { jStat: { normal: Normal } };
  export default jstat;
}
