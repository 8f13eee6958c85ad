// A stand-in for a model server, run by the agent tests through the command template:
//   node fake-model-server.mjs PORT MODEL_DIR [HOST]   (HOST: 127.0.0.1 unless given)
// GET /ping answers 200 (500 while $FAKE_CONTROL_DIR/unhealthy exists), POST /invocations
// answers the model directory's answer.txt, GET /pids the pids of itself and of the child it
// started (with FAKE_SPAWN_CHILD=1, to show that stopping stops the whole process group), and
// POST /crash exits with code 3.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';

const [port, modelDir, host = '127.0.0.1'] = process.argv.slice(2);
const control = process.env.FAKE_CONTROL_DIR ?? '';
const child = process.env.FAKE_SPAWN_CHILD === '1' ? spawn('sleep', ['600'], { stdio: 'ignore' }) : null;

http
  .createServer((req, res) => {
    if (req.url === '/ping') {
      res.statusCode = control && fs.existsSync(path.join(control, 'unhealthy')) ? 500 : 200;
      return res.end();
    }
    if (req.url === '/pids') return res.end(JSON.stringify({ server: process.pid, child: child?.pid ?? null }));
    if (req.url === '/crash') {
      process.stderr.write('crashing as asked\n');
      res.end();
      return setTimeout(() => process.exit(3), 10);
    }
    if (req.url === '/invocations') {
      return res.end(JSON.stringify({ predictions: fs.readFileSync(path.join(modelDir, 'answer.txt'), 'utf8') }));
    }
    res.statusCode = 404;
    res.end();
  })
  .listen(Number(port), host, () => process.stdout.write(`listening on ${port}\n`));
