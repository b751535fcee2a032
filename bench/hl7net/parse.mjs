// parse.mjs SECONDS FILE... - the parse comparison of make bench: hl7v2's
// HL7Message.parse (the parser under hl7v2-net) over message files for
// SECONDS. Prints "bytes N", "parse_mbps X".
// parse.mjs --list FILE... prints the files it parses, one per line:
// bench/run.sh gives both parsers only those, so both parse the same bytes.
import { readFileSync } from 'node:fs';
import { HL7Message } from 'hl7v2';

const list = process.argv[2] === '--list';
const secs = Number(process.argv[2]);
const inputs = [];
for (const path of process.argv.slice(3)) {
    const data = readFileSync(path);
    try {
        HL7Message.parse(data);
        inputs.push(data);
        if (list)
            console.log(path);
    } catch {
        // not one message this parser takes
    }
}
if (list)
    process.exit(0);
const total = inputs.reduce((n, b) => n + b.length, 0);
let bytes = 0;
const t0 = process.hrtime.bigint();
const until = t0 + BigInt(secs) * 1000000000n;
while (process.hrtime.bigint() < until) {
    for (const b of inputs)
        HL7Message.parse(b);
    bytes += total;
}
const elapsed = Number(process.hrtime.bigint() - t0) / 1e9;
console.log(`files ${inputs.length}`);
console.log(`bytes ${total}`);
console.log(`parse_mbps ${(bytes / elapsed / 1e6).toFixed(1)}`);
