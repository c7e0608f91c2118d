// Read JSON-LD documents with jsonld.js (the npm package `jsonld`, installed by
// `make jsonld-js` into build/jsonld-js; run with NODE_PATH pointing there) and print, per
// document, one JSON line: {"path", "ok", "nquads" | "error"}.
//
//   node read.js MODE CONTEXT_FILE DOCUMENT...
//
// MODE is the processing mode (json-ld-1.0 or json-ld-1.1). The document loader serves
// the project's context (https://w3id.org/zonekg/context.jsonld) from CONTEXT_FILE and
// refuses every other address, so nothing is fetched. Safe mode makes jsonld.js fail
// instead of dropping what it cannot turn into RDF. A document that is only a context (a
// context file) is processed as a context: it states no triples, and safe mode would count
// the empty node it leaves as something dropped.
'use strict';

const fs = require('fs');
const jsonld = require('jsonld');

const CONTEXT_IRI = 'https://w3id.org/zonekg/context.jsonld';
const [mode, contextFile, ...documents] = process.argv.slice(2);
const context = JSON.parse(fs.readFileSync(contextFile, 'utf8'));

async function documentLoader(url) {
  if (url === CONTEXT_IRI) {
    return {contextUrl: null, documentUrl: url, document: context};
  }
  throw new Error(`refusing to load ${url}: only ${CONTEXT_IRI} is served`);
}

async function main() {
  for (const path of documents) {
    let line;
    try {
      const doc = JSON.parse(fs.readFileSync(path, 'utf8'));
      const options = {processingMode: mode, documentLoader, safe: true};
      if (Object.keys(doc).length === 1 && '@context' in doc) {
        const initial = await jsonld.processContext(null, null, options);
        await jsonld.processContext(initial, doc, options);
        line = {path, ok: true, nquads: ''};
      } else {
        const nquads = await jsonld.toRDF(doc, {format: 'application/n-quads', ...options});
        line = {path, ok: true, nquads};
      }
    } catch (error) {
      line = {path, ok: false, error: String((error && error.message) || error)};
    }
    process.stdout.write(JSON.stringify(line) + '\n');
  }
}

main();
