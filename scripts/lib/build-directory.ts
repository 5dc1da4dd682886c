// Where `npm run build` writes the production build and `npm start` reads it: build/, unless BUILD_DIRECTORY names
// another folder (the browser tests build their own copy there, so a test run never replaces yours).
export function buildDirectory(): string {
  return process.env.BUILD_DIRECTORY || "build";
}
