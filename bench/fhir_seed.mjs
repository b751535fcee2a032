// fhir_seed.mjs - puts resources into a FHIR server for make bench, over
// HTTP, the way any client would, and checks every answer.
//
//   node fhir_seed.mjs create BASE TEMPLATE N IDS_OUT
//       POSTs N Patients made from TEMPLATE (every "@N@" becomes 1..N) to
//       BASE/fhir/Patient, one after another, and writes "/fhir/Patient/ID"
//       a line to IDS_OUT: the read row's paths.
//   node fhir_seed.mjs put BASE NDJSON CONNS
//       PUTs every line of NDJSON to BASE/fhir/{type}/{id} (its own id, so
//       that references between lines hold) over CONNS keep-alive
//       connections, and prints "N resources in S s (R/s)". This is how the
//       search row fills our database while `stagewise import` is missing.
//
// SW_BENCH_TOKEN, when set, goes along as "Authorization: Bearer TOKEN".
// Any answer other than 200/201 stops it with the status and the body.
import { createReadStream, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { createInterface } from 'node:readline';

const token = process.env.SW_BENCH_TOKEN ?? '';

function die(msg) {
    process.stderr.write(`fhir_seed: ${msg}\n`);
    process.exit(1);
}

function send(agent, base, method, path, body) {
    const url = new URL(path, base);
    const headers = {
        'Content-Type': 'application/fhir+json',
        Accept: 'application/fhir+json',
        'Content-Length': Buffer.byteLength(body),
        // Only what the caller needs back: the id (create) or nothing (put).
        Prefer: method === 'PUT' ? 'return=minimal' : 'return=representation',
    };
    if (token) {
        headers.Authorization = `Bearer ${token}`;
    }
    return new Promise((resolve, reject) => {
        const req = request({ agent, host: url.hostname, port: url.port, path: url.pathname, method, headers }, (res) => {
            const chunks = [];
            res.on('data', (c) => chunks.push(c));
            res.on('end', () => resolve({ status: res.statusCode, text: Buffer.concat(chunks).toString('utf8') }));
        });
        req.on('error', reject);
        req.end(body);
    });
}

async function create(base, template, n, out) {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const body = readFileSync(template, 'utf8');
    const lines = [];
    for (let i = 1; i <= n; i++) {
        const r = await send(agent, base, 'POST', '/fhir/Patient', body.replaceAll('@N@', String(i)));
        if (r.status !== 201) {
            die(`POST /fhir/Patient answered ${r.status}: ${r.text.slice(0, 400)}`);
        }
        lines.push(`/fhir/Patient/${JSON.parse(r.text).id}`);
    }
    writeFileSync(out, lines.join('\n') + '\n');
    agent.destroy();
}

async function put(base, file, conns) {
    const agent = new Agent({ keepAlive: true, maxSockets: conns });
    const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity })[Symbol.asyncIterator]();
    const started = process.hrtime.bigint();
    let done = 0;
    let failure;
    async function worker() {
        for (;;) {
            if (failure) return;
            const next = await lines.next();
            if (next.done) return;
            const line = next.value;
            if (line.trim() === '') continue;
            const { resourceType, id } = JSON.parse(line);
            const r = await send(agent, base, 'PUT', `/fhir/${resourceType}/${id}`, line);
            if (r.status !== 200 && r.status !== 201) {
                failure ??= `PUT /fhir/${resourceType}/${id} answered ${r.status}: ${r.text.slice(0, 400)}`;
                return;
            }
            done++;
        }
    }
    await Promise.all(Array.from({ length: conns }, worker));
    agent.destroy();
    if (failure) die(failure);
    const s = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`${done} resources in ${s.toFixed(1)} s (${Math.round(done / s)}/s)`);
}

const [cmd, base, ...rest] = process.argv.slice(2);
if (cmd === 'create' && rest.length === 3) {
    await create(base, rest[0], Number.parseInt(rest[1], 10), rest[2]);
} else if (cmd === 'put' && rest.length === 2) {
    await put(base, rest[0], Number.parseInt(rest[1], 10));
} else {
    die('usage: node fhir_seed.mjs create BASE TEMPLATE N IDS_OUT | put BASE NDJSON CONNS');
}
