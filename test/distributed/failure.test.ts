/**
 * A rank that dies or hangs takes the job down with a message naming it: the launcher stops the other ranks
 * when one exits, and a training process started without the launcher (RANK/WORLD_SIZE set by hand, as a
 * cluster would) leaves its collective naming the dead rank at once, or the silent one after the timeout.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, launch } from '../../src/distributed/launch.js';
import { ProcessGroup } from '../../src/distributed/process-group.js';
import { cli, type Finished, rankEvents, tinyConfig, writeConfig } from './helpers.js';

const skip = ProcessGroup.backends().gloo ? false : 'the addon was built without Gloo';

const fixture = `
const rank = Number(process.env.RANK);
console.log(\`hello from \${rank} of \${process.env.WORLD_SIZE}, local \${process.env.LOCAL_RANK}, master \${process.env.MASTER_ADDR}:\${process.env.MASTER_PORT}\`);
if (process.env.MODE === 'ok') process.exit(0);
// Rank 1 fails a moment later, after the others have started.
if (rank === 1) setTimeout(() => { console.error('rank 1 gives up'); process.exit(7); }, 1000);
setTimeout(() => {}, 60000);
`;

test('launch sets the torchrun variables, prefixes output, and stops every rank when one fails, naming it', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mdt-launch-'));
  try {
    const entry = join(dir, 'rank.mjs');
    writeFileSync(entry, fixture);
    const lines: string[] = [];
    const write = (line: string, stream: string) => lines.push(`${stream} ${line}`);
    const t0 = performance.now();
    const r = await launch({ nproc: 3, args: ['x'], entry, execArgv: [], write, killAfterMs: 2000 });
    assert.equal(r.exitCode, 7);
    assert.match(r.failure ?? '', /^rank 1 \(pid \d+\) exited with code 7; stopping the other ranks$/);
    assert.ok(lines.includes('stderr [rank 1] rank 1 gives up'), lines.join('\n'));
    assert.ok(lines.some((l) => /^stdout \[rank 2\] hello from 2 of 3, local 2, master 127\.0\.0\.1:\d+$/.test(l)), lines.join('\n'));
    // Ranks 0 and 2 would have waited a minute; they were stopped instead.
    assert.ok(performance.now() - t0 < 30_000);

    // Second node of two: global ranks 2 and 3 of 4, rendezvous at the given master.
    lines.length = 0;
    const ok = await launch({ nproc: 2, nnodes: 2, nodeRank: 1, master: '10.0.0.1:1234', args: ['x'], entry, execArgv: [], write, env: { MODE: 'ok' } });
    assert.deepEqual(ok, { exitCode: 0, failure: null });
    assert.deepEqual(lines.sort(), [
      'stdout [rank 2] hello from 2 of 4, local 0, master 10.0.0.1:1234',
      'stdout [rank 3] hello from 3 of 4, local 1, master 10.0.0.1:1234',
    ]);
    await assert.rejects(launch({ nproc: 2, nnodes: 2, args: ['x'], entry }), /--master addr:port is required/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

/**
 * Two training processes started by hand; once rank 0 has trained a step, `hurt` is sent to rank `victim`.
 * Resolves with how the other rank ended.
 */
async function survivor(victim: 0 | 1, hurt: 'SIGKILL' | 'SIGSTOP', timeoutS: number): Promise<{ other: Finished; sinceHurtMs: number }> {
  const runs = mkdtempSync(join(tmpdir(), 'mdt-fail-'));
  try {
    const file = writeConfig(runs, tinyConfig(runs, 'long', { train: { totalIter: 1000, optim: { lr: 2e-4 }, ema: 0 }, checkpoint: { every: 1000 } }));
    const port = await freePort();
    const env = (rank: number) => ({ RANK: String(rank), WORLD_SIZE: '2', MASTER_ADDR: '127.0.0.1', MASTER_PORT: String(port), MASKDCPT_DIST_TIMEOUT: String(timeoutS) });
    const args = ['pretrain', '--config', file, '--resume', 'never', '--json'];
    const rank0 = cli(args, env(0));
    const rank1 = cli(args, env(1));
    let hurtAt = 0;
    try {
      await new Promise<void>((resolve, reject) => {
        const onData = (d: Buffer) => {
          if (!d.toString().includes('"type":"iter"')) return;
          rank0.child.stdout?.off('data', onData);
          hurtAt = performance.now();
          (victim === 0 ? rank0 : rank1).child.kill(hurt);
          resolve();
        };
        rank0.child.stdout?.on('data', onData);
        void rank0.done.then((f) => reject(new Error(`rank 0 ended before a step:\n${f.stderr}`)));
      });
      const other = await (victim === 0 ? rank1 : rank0).done;
      return { other, sinceHurtMs: performance.now() - hurtAt };
    } finally {
      rank1.child.kill('SIGKILL');
      rank0.child.kill('SIGKILL');
      await Promise.all([rank0.done, rank1.done]);
    }
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
}

test('killing rank 0 (which also hosts the store) makes rank 1 exit within the collective timeout, naming rank 0', { skip }, async () => {
  const timeoutS = 5;
  const { other, sinceHurtMs } = await survivor(0, 'SIGKILL', timeoutS);
  assert.equal(other.code, 1);
  assert.match(other.stderr, /rank 1: [^:]+ failed: rank 0 \(pid \d+ on [^)]+\) exited/);
  assert.ok(sinceHurtMs < timeoutS * 1000, `rank 1 took ${sinceHurtMs} ms to stop`);
});

test('a hung rank 1 is reported by name once the collective times out', { skip }, async () => {
  const timeoutS = 3;
  const { other: r0, sinceHurtMs } = await survivor(1, 'SIGSTOP', timeoutS);
  assert.equal(r0.code, 1);
  assert.match(r0.stderr, /rank 0: [^:]+ failed: rank 1 \(pid \d+ on [^)]+\) stopped responding/);
  // One timeout to notice, at most one more for the roll call, plus process exit on a loaded machine.
  assert.ok(sinceHurtMs >= timeoutS * 1000 && sinceHurtMs < 2 * timeoutS * 1000 + 4000, `rank 0 took ${sinceHurtMs} ms to stop`);
});

test('Ctrl-C on the launcher stops every rank after the same iteration, cleanly', { skip }, async () => {
  const runs = mkdtempSync(join(tmpdir(), 'mdt-int-'));
  try {
    const file = writeConfig(runs, tinyConfig(runs, 'int', { train: { totalIter: 1000, optim: { lr: 2e-4 }, ema: 0 }, checkpoint: { every: 1000 } }));
    const l = cli(['launch', '--nproc', '2', '--dist-timeout', '30', '--', 'pretrain', '--config', file, '--resume', 'never', '--json']);
    await new Promise<void>((resolve, reject) => {
      const onData = (d: Buffer) => {
        if (!d.toString().includes('"type":"iter"')) return;
        l.child.stdout?.off('data', onData);
        l.child.kill('SIGINT');
        resolve();
      };
      l.child.stdout?.on('data', onData);
      void l.done.then((f) => reject(new Error(`launch ended before a step:\n${f.stderr}`)));
    });
    const r = await l.done;
    assert.equal(r.code, 1);
    assert.match(r.stderr, /launch: received SIGINT; stopping all ranks/);
    // Both ranks left the loop at the same iteration: rank 0 finished normally, nobody reported a failed collective.
    const done = rankEvents(r.stdout).find((e) => e.type === 'done');
    assert.ok(done && (done.iter as number) < 1000, `the ranks trained on after SIGINT: ${JSON.stringify(done)}`);
    assert.doesNotMatch(r.stderr, /failed/);
  } finally {
    rmSync(runs, { recursive: true, force: true });
  }
});
