// fhir_gen.mjs - the synthetic clinical record of make bench's search and
// import rows: deterministic from a seed, the same bytes on every machine.
//
//   node fhir_gen.mjs SEED PATIENTS OBSERVATIONS OUTDIR [QUERIES]
//
// writes to OUTDIR
//   Patient.ndjson       PATIENTS Patients, ids bp-0000001 ... (about 500 bytes)
//   Observation.ndjson   OBSERVATIONS Observations, ids bo-00000001 ..., each
//                        about the subject Patient/bp-... of a Patient above,
//                        picked uniformly, with one of 10 LOINC codes
//                        (vital signs and two labs) and a value (about 560 bytes)
//   family.paths         QUERIES (default 2,000) GET paths
//                        /fhir/Patient?family=NAME&_count=20, each the family
//                        name of a Patient picked uniformly: common names are
//                        asked for more often, as at a front desk
//   obs.paths            QUERIES GET paths
//                        /fhir/Observation?patient=Patient/ID&code=http://loinc.org|CODE&_count=20,
//                        each the subject and code of an Observation picked
//                        uniformly: every query matches at least one
//                        (_count=20 is our default page size, sent so that
//                        a server without a default, like Medplum's
//                        in-memory repository, returns the same page)
//   summary              counts, the sizes, and how many resources the
//                        commonest and median family name match
//
// Family names are 6 letters (three syllables out of 100), 20,000 of them,
// none a prefix of another (FHIR's string search matches prefixes), drawn
// with a skew like real surnames: the commonest is worn by about 0.7% of
// the Patients, like Smith in the US; the median name by about 8 in 200,000.
// Ids are the client's (they load with PUT or an NDJSON import that keeps
// ids), so that Observation.subject references hold without a lookup.
import { createWriteStream, mkdirSync, writeFileSync } from 'node:fs';
import { once } from 'node:events';

const [seedArg, patientsArg, obsArg, outdir, queriesArg] = process.argv.slice(2);
if (!outdir) {
    process.stderr.write('usage: node fhir_gen.mjs SEED PATIENTS OBSERVATIONS OUTDIR [QUERIES]\n');
    process.exit(2);
}
const seed = Number.parseInt(seedArg, 10) >>> 0;
const nPatients = Number.parseInt(patientsArg, 10);
const nObs = Number.parseInt(obsArg, 10);
const nQueries = Number.parseInt(queriesArg ?? '2000', 10);

// mulberry32: small, fast, and the same sequence in every JavaScript engine.
function rng(s) {
    let a = s >>> 0;
    return () => {
        a = (a + 0x6d2b79f5) >>> 0;
        let t = a;
        t = Math.imul(t ^ (t >>> 15), t | 1);
        t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
        return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
}
const rand = rng(seed);
const pick = (list) => list[Math.floor(rand() * list.length)];
const pad = (n, w) => String(n).padStart(w, '0');

const consonants = 'bdfghklmnprstvzjcwxy';
const vowels = 'aeiou';
const syllables = [];
for (const c of consonants) {
    for (const v of vowels) {
        syllables.push(c + v);
    }
}
const FAMILIES = 20000;
function family(k) {
    const s = syllables[k % 100] + syllables[Math.floor(k / 100) % 100] + syllables[Math.floor(k / 10000)];
    return s[0].toUpperCase() + s.slice(1);
}
const givenF = ['Maria', 'Ana', 'Emma', 'Olivia', 'Sofia', 'Mia', 'Amelia', 'Grace', 'Chloe', 'Lucia',
    'Hannah', 'Zoe', 'Nora', 'Leah', 'Ruth', 'Irene', 'Fatima', 'Aisha', 'Mei', 'Yuki'];
const givenM = ['James', 'John', 'Luis', 'Noah', 'Liam', 'Omar', 'Ethan', 'Lucas', 'David', 'Samuel',
    'Daniel', 'Jose', 'Ahmed', 'Wei', 'Kenji', 'Ivan', 'Pedro', 'Tomas', 'Hugo', 'Felix'];
const cities = [['Springfield', 'MA', '01101'], ['Worcester', 'MA', '01602'], ['Lowell', 'MA', '01850'],
    ['Cambridge', 'MA', '02139'], ['Quincy', 'MA', '02169'], ['Newton', 'MA', '02458'],
    ['Somerville', 'MA', '02143'], ['Framingham', 'MA', '01701']];
const streets = ['Main St', 'Elm St', 'Oak Ave', 'Maple Rd', 'Cedar Ln', 'Pine St', 'Washington St', 'Park Ave'];
const codes = [
    ['8867-4', 'Heart rate', 'vital-signs', '/min', 50, 110, 0],
    ['8480-6', 'Systolic blood pressure', 'vital-signs', 'mm[Hg]', 95, 170, 0],
    ['8462-4', 'Diastolic blood pressure', 'vital-signs', 'mm[Hg]', 55, 105, 0],
    ['8310-5', 'Body temperature', 'vital-signs', 'Cel', 36, 39, 1],
    ['9279-1', 'Respiratory rate', 'vital-signs', '/min', 10, 24, 0],
    ['29463-7', 'Body weight', 'vital-signs', 'kg', 45, 130, 1],
    ['8302-2', 'Body height', 'vital-signs', 'cm', 150, 200, 1],
    ['39156-5', 'Body mass index (BMI) [Ratio]', 'vital-signs', 'kg/m2', 17, 40, 1],
    ['2339-0', 'Glucose [Mass/volume] in Blood', 'laboratory', 'mg/dL', 70, 250, 0],
    ['4548-4', 'Hemoglobin A1c/Hemoglobin.total in Blood', 'laboratory', '%', 4, 12, 1],
];
const categoryDisplay = { 'vital-signs': 'Vital Signs', laboratory: 'Laboratory' };

mkdirSync(outdir, { recursive: true });

async function writeLines(path, count, make) {
    const out = createWriteStream(path);
    let bytes = 0;
    let chunk = [];
    for (let i = 1; i <= count; i++) {
        const line = JSON.stringify(make(i)) + '\n';
        bytes += Buffer.byteLength(line);
        chunk.push(line);
        if (chunk.length === 2000 || i === count) {
            if (!out.write(chunk.join(''))) {
                await once(out, 'drain');
            }
            chunk = [];
        }
    }
    out.end();
    await once(out, 'finish');
    return bytes;
}

const familyOf = new Uint16Array(nPatients + 1);
const patientId = (i) => `bp-${pad(i, 7)}`;
const pBytes = await writeLines(`${outdir}/Patient.ndjson`, nPatients, (i) => {
    // u^2 skews towards small k: name k is worn by a share ~ 1/(2 sqrt(k N)).
    const u = rand();
    const k = Math.min(FAMILIES - 1, Math.floor(u * u * FAMILIES));
    familyOf[i] = k;
    const female = rand() < 0.5;
    const [city, state, zip] = pick(cities);
    const y = 1930 + Math.floor(rand() * 90);
    const m = 1 + Math.floor(rand() * 12);
    const d = 1 + Math.floor(rand() * 28);
    return {
        resourceType: 'Patient',
        id: patientId(i),
        identifier: [{
            type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] },
            system: 'urn:oid:2.16.840.1.113883.19.5', value: `MRN${pad(i, 8)}`,
        }],
        active: true,
        name: [{ use: 'official', family: family(k), given: [pick(female ? givenF : givenM)] }],
        telecom: [{ system: 'phone', value: `555-${pad(Math.floor(rand() * 10000), 4)}`, use: 'home' }],
        gender: female ? 'female' : 'male',
        birthDate: `${y}-${pad(m, 2)}-${pad(d, 2)}`,
        address: [{ use: 'home', line: [`${1 + Math.floor(rand() * 999)} ${pick(streets)}`], city, state, postalCode: zip }],
    };
});

const obsPatient = new Uint32Array(nObs + 1);
const obsCode = new Uint8Array(nObs + 1);
const oBytes = await writeLines(`${outdir}/Observation.ndjson`, nObs, (i) => {
    const p = 1 + Math.floor(rand() * nPatients);
    const c = Math.floor(rand() * codes.length);
    obsPatient[i] = p;
    obsCode[i] = c;
    const [code, display, category, unit, lo, hi, decimals] = codes[c];
    const value = Number((lo + rand() * (hi - lo)).toFixed(decimals));
    const day = Math.floor(rand() * 3650);
    const when = new Date(Date.UTC(2015, 0, 1) + day * 86400000 + Math.floor(rand() * 86400) * 1000);
    return {
        resourceType: 'Observation',
        id: `bo-${pad(i, 8)}`,
        status: 'final',
        category: [{
            coding: [{
                system: 'http://terminology.hl7.org/CodeSystem/observation-category',
                code: category, display: categoryDisplay[category],
            }],
        }],
        code: { coding: [{ system: 'http://loinc.org', code, display }], text: display },
        subject: { reference: `Patient/${patientId(p)}` },
        effectiveDateTime: when.toISOString().replace('.000Z', 'Z'),
        valueQuantity: { value, unit, system: 'http://unitsofmeasure.org', code: unit },
    };
});

const familyPaths = [];
const obsPaths = [];
for (let q = 0; q < nQueries; q++) {
    familyPaths.push(`/fhir/Patient?family=${family(familyOf[1 + Math.floor(rand() * nPatients)])}&_count=20`);
    if (nObs > 0) {
        const o = 1 + Math.floor(rand() * nObs);
        obsPaths.push(`/fhir/Observation?patient=Patient/${patientId(obsPatient[o])}` +
            `&code=http://loinc.org%7C${codes[obsCode[o]][0]}&_count=20`);
    }
}
writeFileSync(`${outdir}/family.paths`, familyPaths.join('\n') + '\n');
writeFileSync(`${outdir}/obs.paths`, obsPaths.join('\n') + '\n');

const wearers = new Map();
for (let i = 1; i <= nPatients; i++) {
    wearers.set(familyOf[i], (wearers.get(familyOf[i]) ?? 0) + 1);
}
const counts = [...wearers.values()].sort((a, b) => b - a);
writeFileSync(`${outdir}/summary`, [
    `seed ${seed}`,
    `patients ${nPatients} ${pBytes}`,
    `observations ${nObs} ${oBytes}`,
    `family_names ${counts.length} commonest ${counts[0] ?? 0} median ${counts[Math.floor(counts.length / 2)] ?? 0}`,
    '',
].join('\n'));
