#!/usr/bin/env python3
"""Run MediaPipe's own Python pose pipeline on a video: the reference overstride must agree with.

Dev tool, not part of the product. Needs a venv with `mediapipe==0.10.14` (see scripts/dev_venv.sh).

    python scripts/mediapipe_reference.py samples/male_side.mp4 --out tests/fixtures/mediapipe_male_side.csv

Writes the same CSV layout as `overstride analyze` (frame,time_s,landmark,x,y,z,visibility,presence,
x/y in pixels of the upright frame) with mp.solutions.pose, model_complexity=1 (the full landmark
model, the one overstride uses by default), smooth_landmarks as MediaPipe's default (on) unless
--no-smooth. With --bench it prints whole-process wall time, CPU time and frames/s instead of (or as
well as) writing the CSV.
"""
import argparse
import csv
import os
import resource
import sys
import time

import cv2
import mediapipe as mp


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("video")
    ap.add_argument("--out")
    ap.add_argument("--no-smooth", action="store_true")
    ap.add_argument("--static", action="store_true", help="static_image_mode=True (detector on every frame)")
    ap.add_argument("--bench", action="store_true")
    args = ap.parse_args()

    t0 = time.perf_counter()
    c0 = time.process_time()
    cap = cv2.VideoCapture(args.video)
    if not cap.isOpened():
        print(f"cannot open {args.video}", file=sys.stderr)
        return 1
    fps = cap.get(cv2.CAP_PROP_FPS) or 30.0
    rows = []
    n = 0
    with mp.solutions.pose.Pose(
        static_image_mode=args.static,
        model_complexity=1,
        smooth_landmarks=not args.no_smooth,
        enable_segmentation=False,
    ) as pose:
        while True:
            ok, bgr = cap.read()
            if not ok:
                break
            h, w = bgr.shape[:2]
            res = pose.process(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            if res.pose_landmarks is not None:
                for i, lm in enumerate(res.pose_landmarks.landmark):
                    rows.append((n, n / fps, i, lm.x * w, lm.y * h, lm.z * w, lm.visibility, lm.presence))
            n += 1
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    if args.out:
        tmp = args.out + ".tmp"
        with open(tmp, "w", newline="") as f:
            wr = csv.writer(f)
            wr.writerow(["frame", "time_s", "landmark", "x", "y", "z", "visibility", "presence"])
            for r in rows:
                wr.writerow([r[0], f"{r[1]:.6f}", r[2]] + [f"{v:.3f}" for v in r[3:6]] + [f"{v:.4f}" for v in r[6:]])
        os.replace(tmp, args.out)
    if args.bench or not args.out:
        peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"mediapipe-python frames={n} wall_s={wall:.2f} cpu_s={cpu:.2f} fps={n / wall:.1f} "
            f"cpu_ms_per_frame={1000 * cpu / max(n, 1):.1f} peak_rss_mb={peak_mb:.0f}"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
