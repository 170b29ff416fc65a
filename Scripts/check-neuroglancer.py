#!/usr/bin/env python3
"""Opens the state `trowel serve` printed in a real neuroglancer (its Python package's built client,
served on 127.0.0.1) inside headless Chromium, takes a screenshot of the axial slice, and checks
that the scan's slice is drawn: the grey pixels must correlate with the slice read from the
project's volume.zarr (not a blank canvas), and with the labels shown, their colours must appear.

usage: check-neuroglancer.py STATE_JSON_FILE PROJECT_FOLDER OUT_PNG [--chromium PATH] [--timeout S]
Prints one JSON line with the measures; exit 0 only when every check passes."""
import argparse, json, os, shutil, signal, subprocess, sys, tempfile, time

import numpy as np
import zarr
import neuroglancer

W, H = 800, 600


def grey_mask(img):
    """Pixels that are grey (R = G = B within a little): the scan, not the crosshair or labels."""
    r, g, b = (img[..., i].astype(int) for i in range(3))
    return (abs(r - g) <= 6) & (abs(g - b) <= 6)


def slice_box(img):
    """The rows and columns the slice covers: outside the volume the panel has one background colour."""
    background = img[2, 2].astype(int)
    lit = grey_mask(img) & (np.abs(img.astype(int) - background).max(axis=2) > 0)
    rows, cols = lit.sum(axis=1), lit.sum(axis=0)
    ys = np.nonzero(rows > 0.5 * rows.max())[0]
    xs = np.nonzero(cols > 0.5 * cols.max())[0]
    return ys.min(), ys.max() + 1, xs.min(), xs.max() + 1


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("state")
    ap.add_argument("project")
    ap.add_argument("out")
    ap.add_argument("--chromium", default=shutil.which("chromium") or shutil.which("chromium-browser"))
    ap.add_argument("--timeout", type=float, default=60)
    a = ap.parse_args()
    signal.alarm(int(a.timeout))  # bounded: never hang a test run

    state = json.load(open(a.state))
    volume = zarr.open_array(os.path.join(a.project, "volume.zarr", "0"), mode="r")
    nz, ny, nx = volume.shape
    x, y, z = state["position"]
    index = int(round(z))  # neuroglancer puts an OME-Zarr voxel's centre at its index
    lo, hi = state["layers"][0]["shaderControls"]["normalized"]["range"]
    expected = np.clip((volume[index].astype(float) - lo) / (hi - lo), 0, 1)

    # One axial panel, the slice about 480 pixels across, only the scan visible for the grey check.
    state["layout"] = "xy"
    state["crossSectionScale"] = max(nx, ny) / 480
    for layer in state["layers"][1:]:
        layer["visible"] = False

    neuroglancer.set_server_bind_address("127.0.0.1", 0)
    viewer = neuroglancer.Viewer()
    viewer.set_state(neuroglancer.ViewerState(state))
    profile = tempfile.mkdtemp(prefix="trowel-chromium-")
    browser = subprocess.Popen(
        [a.chromium, "--headless=new", "--no-sandbox", "--use-angle=swiftshader", "--enable-unsafe-swiftshader",
         f"--window-size={W},{H}", f"--user-data-dir={profile}", "--no-first-run", "--disable-extensions",
         "--disable-background-networking", "--disable-component-update", "--disable-sync", viewer.get_viewer_url()],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    report = {}
    try:
        t0 = time.time()
        shot = viewer.screenshot(size=[W, H]).screenshot
        report["seconds_to_first_screenshot"] = round(time.time() - t0, 1)
        img = shot.image_pixels[..., :3]
        open(a.out, "wb").write(shot.image)

        y0, y1, x0, x1 = slice_box(img)
        report["slice_box"] = [int(y0), int(y1), int(x0), int(x1)]
        # Sample the screenshot at each voxel's centre; skip crosshair pixels.
        rows = (y0 + (np.arange(ny) + 0.5) * (y1 - y0) / ny).astype(int)
        cols = (x0 + (np.arange(nx) + 0.5) * (x1 - x0) / nx).astype(int)
        sampled = img[np.ix_(rows, cols)].astype(float)
        keep = grey_mask(img)[np.ix_(rows, cols)]
        drawn = sampled[..., 0][keep] / 255
        truth = expected[keep]
        report["correlation"] = round(float(np.corrcoef(drawn, truth)[0, 1]), 4)
        neighbours = [i for i in (index - 3, index + 3) if 0 <= i < nz]
        report["correlation_other_slices"] = [
            round(float(np.corrcoef(drawn, np.clip((volume[i].astype(float) - lo) / (hi - lo), 0, 1)[keep])[0, 1]), 4)
            for i in neighbours]
        report["grey_levels"] = int(len(np.unique(sampled[..., 0][keep])))
        report["mean_abs_error"] = round(float(np.abs(drawn - truth).mean()), 4)

        # The labels over it, in their classes' colours.
        if len(state["layers"]) > 1 and state["layers"][1]["name"] == "labels":
            with viewer.txn() as s:
                s.layers["labels"].visible = True
            t1 = time.time()
            second = viewer.screenshot(size=[W, H]).screenshot
            open(a.out.replace(".png", "-labels.png"), "wb").write(second.image)
            labelled = second.image_pixels[..., :3]
            report["seconds_to_labels_screenshot"] = round(time.time() - t1, 1)
            inside = labelled[y0:y1, x0:x1]
            report["coloured_fraction_with_labels"] = round(float((~grey_mask(inside)).mean()), 4)
            report["coloured_fraction_without"] = round(float((~grey_mask(img[y0:y1, x0:x1])).mean()), 4)
            # Which class each voxel shows: the class colour that, blended over the grey of the first
            # screenshot, comes nearest; it must be the class in labels.zarr there (aligned, not shifted).
            labels = zarr.open_array(os.path.join(a.project, "labels.zarr"), mode="r")[index]
            colours = {int(k): np.array([int(v[i:i + 2], 16) for i in (1, 3, 5)], float)
                       for k, v in state["layers"][1]["segmentColors"].items()}
            shown = labelled[np.ix_(rows, cols)].astype(float)
            grey = sampled
            painted = (labels > 0) & keep
            ids = sorted(colours)
            errors = np.stack([np.abs(shown - (0.5 * grey + 0.5 * colours[k])).sum(axis=2) for k in ids])
            nearest = np.array(ids)[errors.argmin(axis=0)]
            report["labelled_voxels"] = int(painted.sum())
            report["label_agreement"] = round(float((nearest[painted] == labels[painted]).mean()), 4) if painted.any() else None
    finally:
        browser.terminate()
        try:
            browser.wait(timeout=5)
        except subprocess.TimeoutExpired:
            browser.kill()
        shutil.rmtree(profile, ignore_errors=True)

    ok = (report["correlation"] > 0.9 and report["grey_levels"] > 20
          and report["correlation"] > max(report["correlation_other_slices"], default=0)
          and report.get("coloured_fraction_with_labels", 1) > report.get("coloured_fraction_without", 0) + 0.3
          and (report.get("label_agreement") or 1) > 0.9)
    report["ok"] = bool(ok)
    print(json.dumps(report))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
