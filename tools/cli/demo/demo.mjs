#!/usr/bin/env node
// The `pnpm demo` walk-through: runs the built `codec` CLI (tools/cli/bin,
// after `pnpm build`) on the bundled samples and prints each command and its
// output. Steps are a plain list so each codec can append its own; a step
// fails the demo when its exit status or its check is not what it expects.
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const bin = join(here, "..", "bin", "codec.mjs");
const samples = join(here, "samples");
const out = mkdtempSync(join(tmpdir(), "codec-demo-"));
const s = (name) => join(samples, name);
const o = (name) => join(out, name);

/** Run the CLI; returns { status, stdout, stderr }. */
function codec(args) {
  const r = spawnSync(process.execPath, [bin, ...args], { encoding: "utf8" });
  if (r.error) throw r.error;
  return { status: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** The digests `inspect --json --digest` reports, by tensor name. */
function digests(path) {
  const doc = JSON.parse(execFileSync(process.execPath, [bin, "inspect", path, "--json", "--digest"], { encoding: "utf8" }));
  return Object.fromEntries(doc.tensors.map((t) => [t.name, t.sha256]));
}

function sameDigests(a, b) {
  const x = digests(a);
  const y = digests(b);
  const keys = Object.keys(x).sort();
  if (keys.join() !== Object.keys(y).sort().join()) return `tensor names differ: ${keys} vs ${Object.keys(y).sort()}`;
  const bad = keys.filter((k) => x[k] !== y[k]);
  return bad.length === 0 ? true : `digests differ for ${bad.join(", ")}`;
}

/**
 * Each step: a title, the CLI arguments, the exit status it must have
 * (default 0), and an optional check returning true or a failure message.
 */
export const steps = [
  { title: "Inspect a safetensors file (header only)", args: ["inspect", s("mlp.safetensors")] },
  { title: "Inspect a NumPy .npy as JSON with SHA-256 digests", args: ["inspect", s("image.npy"), "--json", "--digest"] },
  { title: "Inspect a compressed .npz written by numpy.savez_compressed", args: ["inspect", s("arrays.npz")] },
  {
    title: "Convert safetensors -> npz (tensors carried, digests unchanged)",
    args: ["convert", s("mlp.safetensors"), o("mlp.npz")],
    check: () => sameDigests(s("mlp.safetensors"), o("mlp.npz")),
  },
  {
    title: "Convert the npz back to safetensors",
    args: ["convert", o("mlp.npz"), o("mlp.safetensors")],
    check: () => sameDigests(s("mlp.safetensors"), o("mlp.safetensors")),
  },
  {
    title: "Convert .npy -> safetensors -> .npy: byte-identical to numpy.save's file",
    args: ["convert", s("image.npy"), o("image.safetensors")],
    check: () => {
      const r = codec(["convert", o("image.safetensors"), o("image.npy")]);
      if (r.status !== 0) return `second convert failed: ${r.stderr.trim()}`;
      return readFileSync(o("image.npy")).equals(readFileSync(s("image.npy"))) || "bytes differ from the original";
    },
  },
  {
    title: "Re-encode an npz (same format: lossless, compression kept)",
    args: ["convert", s("arrays.npz"), o("arrays.npz")],
    check: () => sameDigests(s("arrays.npz"), o("arrays.npz")),
  },
  { title: "Inspect the converted safetensors file", args: ["inspect", o("mlp.safetensors"), "--digest"] },
  { title: "Scan: formats without pickles cannot run code", args: ["scan", s("mlp.safetensors")] },
  {
    title: "Scan: a NumPy object array is a pickle; this one imports os.system (dangerous: exit 1)",
    args: ["scan", s("object_array.npy")],
    status: 1,
  },
  { title: "Inspect a PyTorch training checkpoint (model + SGD momentum state)", args: ["inspect", s("checkpoint.pt")] },
  {
    title: "Convert the checkpoint's tensors to safetensors (digests unchanged)",
    args: ["convert", s("checkpoint.pt"), o("checkpoint.safetensors")],
    check: () => sameDigests(s("checkpoint.pt"), o("checkpoint.safetensors")),
  },
  {
    title: "Re-encode the checkpoint as torch.save would (whole object graph kept)",
    args: ["convert", s("checkpoint.pt"), o("checkpoint.pt")],
    check: () => sameDigests(s("checkpoint.pt"), o("checkpoint.pt")),
  },
  { title: "Scan the checkpoint: only torch's own rebuild functions (safe)", args: ["scan", s("checkpoint.pt")] },
  { title: "Inspect a pickled scikit-learn LinearRegression", args: ["inspect", s("linreg.pkl"), "--json"] },
  { title: "Inspect the same model saved with joblib (zlib)", args: ["inspect", s("linreg.joblib")] },
  { title: "Scan the scikit-learn pickle: an unknown class is suspicious, not dangerous (exit 0)", args: ["scan", s("linreg.pkl")] },
  {
    title: "Run the pickled LinearRegression on four rows: predict() from its fitted coefficients, nothing unpickled runs",
    args: ["run", s("linreg.pkl"), "--input", `input=${s("linreg_x.npy")}`, "--out", o("linreg-run")],
  },
  { title: "Disassemble a pickle like pickletools.dis", args: ["inspect", s("evil.pkl"), "--opcodes"] },
  { title: "Scan a pickle that would call os.system (dangerous: exit 1)", args: ["scan", s("evil.pkl"), "--json"], status: 1 },
  { title: "Inspect an HDF5 file written by h5py (chunked, gzip + shuffle)", args: ["inspect", s("weights.h5"), "--digest"] },
  {
    title: "Convert HDF5 -> safetensors -> HDF5 (groups from '/' in names)",
    args: ["convert", s("weights.h5"), o("weights.safetensors")],
    check: () => {
      const r = codec(["convert", o("weights.safetensors"), o("weights.h5")]);
      if (r.status !== 0) return `second convert failed: ${r.stderr.trim()}`;
      return sameDigests(s("weights.h5"), o("weights.h5"));
    },
  },
  {
    title: "Convert safetensors -> ONNX (a node-less model with one initializer per tensor)",
    args: ["convert", s("mlp.safetensors"), o("mlp.onnx")],
    check: () => sameDigests(s("mlp.safetensors"), o("mlp.onnx")),
  },
  { title: "Inspect the ONNX model (detected by structure: ONNX has no magic)", args: ["inspect", o("mlp.onnx"), "--digest"] },
  { title: "An npz with several arrays cannot become a single .npy (exit 1)", args: ["convert", s("arrays.npz"), o("x.npy")], status: 1 },
  { title: "Unknown output extension is a usage error (exit 2)", args: ["convert", s("image.npy"), o("image.xyz")], status: 2 },
];

const show = (p) => (p.startsWith(out) ? join("$OUT", relative(out, p)) : relative(process.cwd(), p));

let failed = 0;
try {
  console.log(`codec demo (outputs in ${out})\n`);
  for (const [i, step] of steps.entries()) {
    console.log(`## ${i + 1}. ${step.title}`);
    console.log(`$ codec ${step.args.map((a) => (a.includes("/") ? show(a) : a)).join(" ")}`);
    const r = codec(step.args);
    if (r.stdout) process.stdout.write(r.stdout);
    if (r.stderr) process.stdout.write(r.stderr);
    const want = step.status ?? 0;
    let verdict = r.status === want ? true : `exit status ${r.status}, expected ${want}`;
    if (verdict === true && step.check) verdict = step.check();
    console.log(verdict === true ? `-> ok (exit ${r.status})\n` : `-> FAILED: ${verdict}\n`);
    if (verdict !== true) failed++;
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
console.log(failed === 0 ? `All ${steps.length} steps passed.` : `${failed} of ${steps.length} steps failed.`);
process.exitCode = failed === 0 ? 0 : 1;
