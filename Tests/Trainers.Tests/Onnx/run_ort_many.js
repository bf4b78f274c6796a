// Runs several ONNX models with onnxruntime-node (CPU) in one process, so the zoo round-trip test pays node's and the
// runtime's start-up once. Usage: node run_ort_many.js JOBS.json, where JOBS.json is an array of
// { "model": "a.onnx", "input": "a.in.bin", "dims": [N, C, H, W], "output": "a.out.bin" } (raw little-endian float32 in and out).
// A model that fails to load or run stops the run with its path in the message.
const fs = require('fs');
const ort = require('onnxruntime-node');

(async () => {
  const jobs = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  for (const job of jobs) {
    try {
      const bytes = fs.readFileSync(job.input);
      const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
      const session = await ort.InferenceSession.create(job.model, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
      const result = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(data), job.dims) });
      const out = result[session.outputNames[0]];
      fs.writeFileSync(job.output, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
      await session.release();
    } catch (e) {
      throw new Error(`${job.model}: ${e.message || e}`);
    }
  }
})().catch(e => { console.error(e.message || e); process.exit(1); });
