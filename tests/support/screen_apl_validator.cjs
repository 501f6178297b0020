// Runs apl-suggester's static validator over APL documents, for tests/tooling/test_screen_validator.py
// and tests/skill/test_screen_skill.py.
// Usage: node tests/support/screen_apl_validator.cjs DOCUMENTS.json
// DOCUMENTS.json maps a name to an APL document. Prints one JSON object mapping each name to
// its findings (every finding is reported at WARNING level, so each counts), or to
// {"thrown": message} when the validator throws on a document.
'use strict';

const fs = require('fs');
const path = require('path');

const { StaticAplTemplateValidator } = require(
  path.join(__dirname, '..', '..', 'node_modules', 'apl-suggester'),
);

async function main() {
  const documents = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const validator = new StaticAplTemplateValidator();
  const results = {};
  for (const [name, document] of Object.entries(documents)) {
    try {
      results[name] = await validator.validate(document);
    } catch (error) {
      results[name] = { thrown: String(error && error.message ? error.message : error) };
    }
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((error) => {
  process.stderr.write(String(error && error.stack ? error.stack : error));
  process.exit(2);
});
