// swagger-ui-dist ships no types for this file; importing it rather than the package index avoids loading
// the 1.7 MB browser bundle into the server (the index requires it, about 200 ms at startup).
declare module 'swagger-ui-dist/absolute-path.js' {
  /** The folder that holds swagger-ui-dist's static files. */
  const getAbsoluteFSPath: () => string;
  export default getAbsoluteFSPath;
}
