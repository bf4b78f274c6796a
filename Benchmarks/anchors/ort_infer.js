// ONNX Runtime anchor for the ONNX inference harness (Benchmarks/Onnx): times one .onnx file on the CPU execution
// provider with the session settings of ../shared/anchors/ort_bench.js (graph optimisation "all", sequential,
// interOpNumThreads 1, intraOpNumThreads = THREADS).
//
// Usage: node ort_infer.js MODEL.onnx C,H,W THREADS SECONDS BATCHES [CHECK_INPUT.bin CHECK_N CHECK_OUTPUT.bin]
//   BATCHES  comma-separated batch sizes, e.g. "1,256"; each is warmed up (at least 20 runs at batch 1, 3 otherwise, and
//            at least WARM_SECONDS), then run for at least SECONDS (and at least MIN_RUNS times: 20 for batch 1, 2
//            otherwise). The engine side (Benchmarks/Onnx/EngineInference.cs) warms up the same way.
//   CHECK_*  optional: run CHECK_N images of raw float32 input once and write the raw float32 output (the harness
//            compares it with our engine's).
// Prints one JSON object per line: first {"kind":"session", versions, the process's OS thread count before and after
// the session was created}, then {"kind":"batch", batch, runs, seconds, median_ms, p10_ms, images_per_s, cpu_per_wall,
// busy_threads}.
// cpu_per_wall is the process's CPU time (user + system) over the wall time of the timed window: about 1 with one
// thread, up to THREADS with more on an idle machine (ORT's pool threads spin while waiting, so it can read high).
// busy_threads counts the OS threads that used at least a fifth of the busiest thread's CPU time in the window: the
// thread setting at work, whatever share of the cores other load leaves the process.
const fs = require('fs');
const ort = require('onnxruntime-node');

const threadCount = () => fs.readdirSync('/proc/self/task').length;

/** Seconds of warm-up before timing each batch size, on both sides of the comparison. */
const WARM_SECONDS = 3;
const now = () => Number(process.hrtime.bigint()) / 1e9;

// CPU clock ticks (user + system) of each OS thread of this process, by thread id.
function threadTicks() {
  const ticks = new Map();
  for (const tid of fs.readdirSync('/proc/self/task')) {
    try {
      const stat = fs.readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(tid, Number(fields[11]) + Number(fields[12])); // utime, stime (fields 14 and 15 of stat)
    } catch { /* the thread ended */ }
  }
  return ticks;
}

function busyThreads(before, after) {
  const used = [...after].map(([tid, t]) => t - (before.get(tid) ?? 0));
  const most = Math.max(...used);
  return most > 0 ? used.filter(u => u >= most / 5).length : 0;
}

// A fixed-seed generator (Math.random cannot be seeded) so every run times the same inputs.
function randomInput(count, seed) {
  const a = new Float32Array(count);
  let s = seed >>> 0;
  for (let i = 0; i < a.length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    a[i] = (s / 4294967296) * 2 - 1;
  }
  return a;
}

(async () => {
  const [model, chw, threadsArg, secondsArg, batchesArg, checkIn, checkN, checkOut] = process.argv.slice(2);
  if (!batchesArg) throw new Error('usage: node ort_infer.js MODEL.onnx C,H,W THREADS SECONDS BATCHES [CHECK_INPUT.bin CHECK_N CHECK_OUTPUT.bin]');
  const [c, h, w] = chw.split(',').map(Number);
  const threads = Number(threadsArg), seconds = Number(secondsArg);
  const before = threadCount();
  const session = await ort.InferenceSession.create(model, {
    intraOpNumThreads: threads, interOpNumThreads: 1, executionMode: 'sequential',
    graphOptimizationLevel: 'all', executionProviders: ['cpu'],
  });
  const input = session.inputNames[0];
  // One run so that any lazily started pool threads exist before they are counted.
  await session.run({ [input]: new ort.Tensor('float32', randomInput(c * h * w, 1), [1, c, h, w]) });
  console.log(JSON.stringify({
    kind: 'session', versions: ort.env.versions, node: process.version, intra_op_threads: threads,
    os_threads_before: before, os_threads_after: threadCount(),
  }));

  if (checkIn) {
    const n = Number(checkN);
    const bytes = fs.readFileSync(checkIn);
    const data = Float32Array.from(new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4));
    const result = await session.run({ [input]: new ort.Tensor('float32', data, [n, c, h, w]) });
    const out = result[session.outputNames[0]];
    fs.writeFileSync(checkOut, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  }

  for (const batch of batchesArg.split(',').map(Number)) {
    const feeds = { [input]: new ort.Tensor('float32', randomInput(batch * c * h * w, 2), [batch, c, h, w]) };
    const minRuns = batch === 1 ? 20 : 2;
    const warmRuns = batch === 1 ? 20 : 3, warmStart = now();
    for (let i = 0; i < warmRuns || now() - warmStart < WARM_SECONDS; i++) await session.run(feeds);
    const times = [];
    const cpu0 = process.cpuUsage();
    const ticks0 = threadTicks();
    const t0 = now();
    while (now() - t0 < seconds || times.length < minRuns) {
      const a = now();
      await session.run(feeds);
      times.push(now() - a);
    }
    const wall = now() - t0;
    const cpu = process.cpuUsage(cpu0);
    const busy = busyThreads(ticks0, threadTicks());
    const total = times.reduce((s, v) => s + v, 0);
    times.sort((a, b) => a - b);
    console.log(JSON.stringify({
      kind: 'batch', batch, runs: times.length, seconds: total,
      median_ms: times[times.length >> 1] * 1e3, p10_ms: times[Math.floor(times.length * 0.1)] * 1e3,
      images_per_s: times.length * batch / total, cpu_per_wall: (cpu.user + cpu.system) / 1e6 / wall, busy_threads: busy,
    }));
  }
  await session.release?.();
})().catch(e => { console.error(e.stack || e.message || e); process.exit(1); });
