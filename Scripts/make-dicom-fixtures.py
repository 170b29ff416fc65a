#!/usr/bin/env python3
"""Writes the small DICOM fixtures the DICOM reader tests read (Tests/TrowelVolumeTests/Fixtures/dicom).

Run once (the output is committed; tests never need Python or GDCM's tools). pydicom writes every
series uncompressed; gdcmconv (Debian libgdcm-tools) recompresses copies losslessly:
    python3 -m venv /tmp/dicom-venv && /tmp/dicom-venv/bin/pip install numpy pydicom
    apt-get install libgdcm-tools
    /tmp/dicom-venv/bin/python Scripts/make-dicom-fixtures.py

Stored values follow one formula the tests repeat: stored = (b * 37 + 100) % 4096 with
b = z * 1024 + y * 32 + x, where z is the slice's place along the slice normal (not its file name
or InstanceNumber), so 12-bit unsigned samples with RescaleIntercept -1024 give HU = stored - 1024.
Slices are 32 x 32, PixelSpacing 0.5 (between rows) by 0.25 mm (between columns).
"""
import random
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pydicom
from pydicom.dataset import Dataset, FileMetaDataset
from pydicom.uid import (CTImageStorage, ExplicitVRLittleEndian, ImplicitVRLittleEndian,
                         SecondaryCaptureImageStorage)

OUT = Path(__file__).resolve().parent.parent / "Tests/TrowelVolumeTests/Fixtures/dicom"
ROOT = "1.2.826.0.1.3680043.10.1338."  # a fixed prefix, so the fixtures are byte-stable
STUDY = ROOT + "1"
SIDE = 32
AXIAL = [1.0, 0.0, 0.0, 0.0, 1.0, 0.0]
ENHANCED_CT = "1.2.840.10008.5.1.4.1.1.2.1"


def stored(z, rows=SIDE, columns=SIDE):
    y, x = np.indices((rows, columns), dtype=np.int64)
    b = z * 1024 + y * 32 + x
    return ((b * 37 + 100) % 4096).astype(np.uint16)


def normal(orientation):
    return np.cross(orientation[:3], orientation[3:])


def base_dataset(series, number, uid_tail, sop_class=CTImageStorage, syntax=ExplicitVRLittleEndian):
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = sop_class
    meta.MediaStorageSOPInstanceUID = ROOT + "9." + uid_tail
    meta.TransferSyntaxUID = syntax
    meta.ImplementationClassUID = ROOT + "0"
    ds = Dataset()
    ds.file_meta = meta
    ds.SOPClassUID = sop_class
    ds.SOPInstanceUID = meta.MediaStorageSOPInstanceUID
    ds.StudyInstanceUID = STUDY
    ds.SeriesInstanceUID = series
    ds.SeriesNumber = number
    ds.SeriesDescription = f"fixture series {number}"
    ds.Modality = "CT"
    ds.PatientName = "Fossil^Fixture"
    ds.PatientID = "fixture"
    return ds


def pixels(ds, array, bits_stored=12, signed=False):
    ds.SamplesPerPixel = 1
    ds.PhotometricInterpretation = "MONOCHROME2"
    ds.Rows, ds.Columns = array.shape[-2:]
    ds.BitsAllocated = 16
    ds.BitsStored = bits_stored
    ds.HighBit = bits_stored - 1
    ds.PixelRepresentation = 1 if signed else 0
    ds.PixelData = array.astype(np.int16 if signed else np.uint16).tobytes()


def write_slice(path, series, number, z, position, instance, orientation=AXIAL, array=None,
                slope=1.0, intercept=-1024.0, syntax=ExplicitVRLittleEndian, **kw):
    ds = base_dataset(series, number, f"{number}.{z}.{instance}", syntax=syntax)
    ds.InstanceNumber = instance
    ds.ImagePositionPatient = [round(float(v), 4) for v in position]
    ds.ImageOrientationPatient = [round(float(v), 6) for v in orientation]
    ds.PixelSpacing = [0.5, 0.25]
    ds.SliceThickness = 1.25
    ds.RescaleSlope = slope
    ds.RescaleIntercept = intercept
    ds.RescaleType = "HU"
    pixels(ds, stored(z) if array is None else array, **kw)
    path.parent.mkdir(parents=True, exist_ok=True)
    ds.save_as(path, enforce_file_format=True)


def series_folder(name, count=4, spacing=1.25, names=None, syntax=ExplicitVRLittleEndian):
    """`count` axial slices 1.25 mm apart, named IM1…IMn in z order, InstanceNumber = z + 1."""
    folder = OUT / name
    uid = ROOT + "2." + str(sum(map(ord, name)))
    for z in range(count):
        stem = names[z] if names else f"IM{z + 1}"
        write_slice(folder / stem, uid, 1, z, [-8.0, -4.0, -10.0 + spacing * z], z + 1, syntax=syntax)
    return folder


def recompress(source, name, flags):
    folder = OUT / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for f in sorted(source.iterdir()):
        subprocess.run(["gdcmconv", *flags, str(f), str(folder / f.name)], check=True)
        back = pydicom.dcmread(folder / f.name)
        original = pydicom.dcmread(f)
        assert back.file_meta.TransferSyntaxUID != original.file_meta.TransferSyntaxUID, f"{name}: not recompressed"
        if back.file_meta.TransferSyntaxUID.is_compressed:
            assert (0x7fe0, 0x0010) in back and back["PixelData"].is_undefined_length, f"{name}: not encapsulated"


def main():
    shutil.rmtree(OUT, ignore_errors=True)
    OUT.mkdir(parents=True)
    random.seed(11)

    # One axial series per transfer syntax, all holding the same values.
    explicit = series_folder("explicit")
    series_folder("implicit", syntax=ImplicitVRLittleEndian)
    recompress(explicit, "rle", ["--rle"])
    recompress(explicit, "jpeg-lossless", ["--jpeg"])
    recompress(explicit, "jpeg-ls", ["--jpegls"])
    recompress(explicit, "j2k", ["--j2k"])

    # Oblique slices (tilted 30° about x), file names and InstanceNumbers both out of z order.
    angle = np.radians(30)
    tilted = [1.0, 0.0, 0.0, 0.0, float(np.cos(angle)), float(np.sin(angle))]
    n = normal(np.array(tilted))
    names = ["c", "a", "f", "b", "e", "d"]
    instances = [4, 6, 1, 3, 2, 5]
    origin = np.array([3.0, -7.0, 20.0])
    for z in range(6):
        write_slice(OUT / "shuffled" / names[z], ROOT + "3", 1, z, origin + n * 2.0 * z, instances[z], orientation=tilted)

    # A missing slice: positions 0, 1.25, 2.5, 5.0, 6.25 (the gap between g3 and g4).
    for k, z in enumerate([0, 1, 2, 4, 5]):
        write_slice(OUT / "gap" / f"g{k + 1}", ROOT + "4", 1, z, [0.0, 0.0, 1.25 * z], k + 1)

    # Two series in one folder: 3 slices (series 5) and 5 slices (series 6, the larger, values + 1000).
    for z in range(3):
        write_slice(OUT / "two-series" / f"a{z + 1}", ROOT + "5", 5, z, [0.0, 0.0, 2.0 * z], z + 1)
    for z in range(5):
        write_slice(OUT / "two-series" / f"b{z + 1}", ROOT + "6", 6, z, [0.0, 0.0, 1.0 * z], z + 1,
                    array=stored(z) + 1000, bits_stored=13)

    # Real-valued rescale (slope 0.5, intercept -1024.25): stored as float32.
    for z in range(2):
        write_slice(OUT / "float" / f"f{z + 1}", ROOT + "7", 1, z, [0.0, 0.0, 1.25 * z], z + 1, slope=0.5, intercept=-1024.25)

    # Signed 16-bit samples whose declared range overflows int16 after the intercept, though the
    # values do not: still int16.
    for z in range(2):
        write_slice(OUT / "signed16" / f"s{z + 1}", ROOT + "8", 1, z, [0.0, 0.0, 1.25 * z], z + 1,
                    array=stored(z).astype(np.int16) - 2048, bits_stored=16, signed=True)

    # Raw detector counts (no rescale) above 32767: kept as uint16.
    for z in range(2):
        ds_path = OUT / "counts" / f"c{z + 1}"
        write_slice(ds_path, ROOT + "9", 1, z, [0.0, 0.0, 1.25 * z], z + 1, slope=1.0, intercept=0.0,
                    array=stored(z) * 16, bits_stored=16)
        ds = pydicom.dcmread(ds_path)
        del ds.RescaleSlope, ds.RescaleIntercept, ds.RescaleType
        ds.save_as(ds_path, enforce_file_format=True)

    # No ImagePositionPatient at all (secondary-capture style): ordered by InstanceNumber, not by name.
    for k, z in enumerate([2, 0, 1]):
        path = OUT / "unplaced" / f"u{k + 1}"
        write_slice(path, ROOT + "14", 1, z, [0.0, 0.0, 0.0], z + 1)
        ds = pydicom.dcmread(path)
        del ds.ImagePositionPatient
        ds.SpacingBetweenSlices = 0.75
        ds.save_as(path, enforce_file_format=True)

    # Faults, each a one-line error naming the file.
    for z in range(3):
        array = stored(z, columns=30 if z == 1 else SIDE)
        write_slice(OUT / "mixed-sizes" / f"m{z + 1}", ROOT + "10", 1, z, [0.0, 0.0, 1.25 * z], z + 1, array=array)
    for z in range(3):
        path = OUT / "no-pixels" / f"n{z + 1}"
        write_slice(path, ROOT + "11", 1, z, [0.0, 0.0, 1.25 * z], z + 1)
        if z == 2:
            ds = pydicom.dcmread(path)
            del ds.PixelData
            ds.save_as(path, enforce_file_format=True)
    colour = base_dataset(ROOT + "12", 1, "12.0", sop_class=SecondaryCaptureImageStorage)
    colour.SamplesPerPixel = 3
    colour.PhotometricInterpretation = "RGB"
    colour.PlanarConfiguration = 0
    colour.Rows, colour.Columns = 8, 8
    colour.BitsAllocated, colour.BitsStored, colour.HighBit, colour.PixelRepresentation = 8, 8, 7, 0
    colour.PixelData = (np.arange(8 * 8 * 3) % 256).astype(np.uint8).tobytes()
    colour.save_as(OUT / "colour.dcm", enforce_file_format=True)

    # One enhanced multi-frame file: 4 frames stored in reverse z order, each with its position.
    ds = base_dataset(ROOT + "13", 1, "13.0", sop_class=ENHANCED_CT)
    frames = [3, 2, 0, 1]
    pixels(ds, np.stack([stored(z) for z in frames]))
    ds.NumberOfFrames = len(frames)
    shared = Dataset()
    measures = Dataset()
    measures.PixelSpacing = [0.5, 0.25]
    measures.SliceThickness = 1.25
    shared.PixelMeasuresSequence = [measures]
    orientation = Dataset()
    orientation.ImageOrientationPatient = AXIAL
    shared.PlaneOrientationSequence = [orientation]
    transform = Dataset()
    transform.RescaleSlope = 1
    transform.RescaleIntercept = -1024
    transform.RescaleType = "HU"
    shared.PixelValueTransformationSequence = [transform]
    ds.SharedFunctionalGroupsSequence = [shared]
    per_frame = []
    for z in frames:
        item, plane = Dataset(), Dataset()
        plane.ImagePositionPatient = [0.0, 0.0, 1.25 * z]
        item.PlanePositionSequence = [plane]
        per_frame.append(item)
    ds.PerFrameFunctionalGroupsSequence = per_frame
    ds.save_as(OUT / "multiframe.dcm", enforce_file_format=True)
    for flag, name in [("--rle", "rle"), ("--j2k", "j2k")]:
        subprocess.run(["gdcmconv", flag, str(OUT / "multiframe.dcm"), str(OUT / f"multiframe-{name}.dcm")], check=True)

    total = sum(f.stat().st_size for f in OUT.rglob("*") if f.is_file())
    print(f"wrote {sum(1 for f in OUT.rglob('*') if f.is_file())} files, {total} bytes, into {OUT}")


if __name__ == "__main__":
    main()
