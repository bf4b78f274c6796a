// Runs an ONNX model with onnxruntime-node (CPU) for the export tests.
// Usage: node run_ort.js MODEL.onnx INPUT.bin N,C,H,W OUTPUT.bin  (raw little-endian float32 in and out)
const fs = require('fs');
const ort = require('onnxruntime-node');

(async () => {
  const [model, inputPath, dims, outputPath] = process.argv.slice(2);
  const shape = dims.split(',').map(Number);
  const bytes = fs.readFileSync(inputPath);
  const data = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
  const session = await ort.InferenceSession.create(model, { executionProviders: ['cpu'], graphOptimizationLevel: 'disabled' });
  const feeds = { [session.inputNames[0]]: new ort.Tensor('float32', Float32Array.from(data), shape) };
  const result = await session.run(feeds);
  const out = result[session.outputNames[0]];
  fs.writeFileSync(outputPath, Buffer.from(out.data.buffer, out.data.byteOffset, out.data.byteLength));
  console.log(JSON.stringify({ dims: out.dims, metadata: session.handler && session.handler.metadata ? 'yes' : 'n/a' }));
})().catch(e => { console.error(e.message || e); process.exit(1); });
