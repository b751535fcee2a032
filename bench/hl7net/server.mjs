// server.mjs - the MLLP comparison of make bench: hl7v2-net's HL7Server,
// which parses each message and answers the ACK it prepares (AA), storing
// nothing. Prints "listening PORT" once ready; stops on SIGTERM.
import { HL7Server } from 'hl7v2-net';

const server = HL7Server.createServer();
let received = 0;
server.use(async (req, res) => {
    // res.message is already the AA for req.message; touching the parsed
    // message keeps the parse honest.
    if (req.message.header.field(10).toString().length === 0)
        throw new Error('no MSH-10');
    received++;
});
server.on('error', (err) => console.error(`hl7v2-net: ${err.message}`));
await server.listen(0, '127.0.0.1');
const addr = server._server.address();
console.log(`listening ${addr.port}`);
process.on('SIGTERM', async () => {
    console.error(`hl7v2-net: ${received} messages acknowledged`);
    await server.close(1000);
    process.exit(0);
});
