// A node:test reporter that prints only the run's closing summary, as TAP comments (`# tests N`,
// `# pass N`, `# fail N`, ...) followed by one line `N passed, N failed`. `npm test` pairs it with
// the spec reporter, so people read the spec reporter's tree while the log still ends with the
// lines CI's parser counts.
export default async function* summary(source) {
  const counts = new Map();
  for await (const event of source) {
    if (event.type !== 'test:diagnostic' || event.data.nesting !== 0) continue;
    const match = /^(tests|suites|pass|fail|cancelled|skipped|todo|duration_ms) (\S+)$/.exec(event.data.message);
    if (!match) continue;
    counts.set(match[1], match[2]);
    yield `# ${event.data.message}\n`;
  }
  if (counts.has('pass')) yield `${counts.get('pass')} passed, ${counts.get('fail') ?? 0} failed\n`;
}
