#!/usr/bin/env python3
"""Small sample files for the CLI demo and tests (run with /usr/bin/python3).

image.npy and arrays.npz are written by NumPy itself. mlp.safetensors is
written here by hand from the safetensors spec (8-byte little-endian header
length, JSON header with dtype/shape/data_offsets and __metadata__, then the
little-endian tensor bytes), since the safetensors Python package is not a
Debian package.
"""
import json
import os
import struct

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
rng = np.random.default_rng(0)

# A numpy image batch (NCHW float32) and an npz of mixed arrays.
np.save(os.path.join(HERE, "image.npy"), rng.standard_normal((1, 3, 4, 4)).astype(np.float32))
np.savez_compressed(
    os.path.join(HERE, "arrays.npz"),
    embedding=rng.standard_normal((10, 4)).astype(np.float32),
    token_ids=np.arange(10, dtype=np.int64),
    mask=np.array([True, False, True, True]),
)

# A NumPy object array: its data is a pickle, here one that imports os.system
# (what `codec scan` exists to catch; the CLI never unpickles it).
np.save(os.path.join(HERE, "object_array.npy"), np.array([os.system], dtype=object), allow_pickle=True)

# A tiny MLP in safetensors.
tensors = {
    "fc1.weight": rng.standard_normal((8, 4)).astype(np.float32),
    "fc1.bias": np.zeros(8, dtype=np.float32),
    "fc2.weight": rng.standard_normal((2, 8)).astype(np.float16),
    "fc2.bias": np.array([0.5, -0.5], dtype=np.float16),
    "step": np.array(1000, dtype=np.int64),
}
ST = {np.dtype("float32"): "F32", np.dtype("float16"): "F16", np.dtype("int64"): "I64"}
header = {"__metadata__": {"format": "pt", "source": "codec demo"}}
offset = 0
blobs = []
for name in sorted(tensors):
    a = tensors[name].astype(tensors[name].dtype.newbyteorder("<"), order="C")  # keeps 0-d arrays 0-d
    b = a.tobytes()
    header[name] = {"dtype": ST[a.dtype.newbyteorder("=")], "shape": list(a.shape), "data_offsets": [offset, offset + len(b)]}
    offset += len(b)
    blobs.append(b)
text = json.dumps(header, separators=(",", ":")).encode()
text += b" " * (-len(text) % 8)  # pad so the data starts 8-byte aligned, as the reference writer does
with open(os.path.join(HERE, "mlp.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", len(text)))
    f.write(text)
    for b in blobs:
        f.write(b)
print("wrote samples to", HERE)
