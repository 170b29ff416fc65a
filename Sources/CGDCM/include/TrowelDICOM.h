// A C interface to the few things Trowel needs from GDCM (a C++ library): a DICOM file's header
// fields that place and scale its pixels, the frames' positions, and decoded frames of stored values.
#ifndef TROWEL_DICOM_H
#define TROWEL_DICOM_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// What `trowel_dicom_*` functions return: 0 on success, otherwise why they failed (and a message).
enum TrowelDICOMStatus {
    TROWEL_DICOM_OK = 0,
    /// The file could not be opened or is not DICOM.
    TROWEL_DICOM_UNREADABLE = 1,
    /// The file has no Pixel Data element (a report, a DICOMDIR, a presentation state).
    TROWEL_DICOM_NO_PIXEL_DATA = 2,
    /// The pixel data could not be decoded (unsupported or damaged compression).
    TROWEL_DICOM_DECODE_FAILED = 3,
    /// The buffer given does not match the frames' size.
    TROWEL_DICOM_BAD_BUFFER = 4,
};

/// The header fields of one DICOM file that Trowel uses. Strings are NUL-terminated, trimmed;
/// `has_*` is 1 where the element is present. Lookups fall back from the top-level data set to the
/// shared, then the first per-frame functional group (enhanced multi-frame objects).
typedef struct TrowelDICOMHeader {
    int rows, columns, frames, samples_per_pixel;
    int bits_allocated, bits_stored, pixel_representation;
    int has_pixel_data;
    /// 1 when the pixel data runs past the end of the file (a truncated or half-copied file).
    int pixel_data_truncated;
    int has_position, has_orientation, has_pixel_spacing, has_rescale;
    int has_spacing_between_slices, has_slice_thickness, has_instance_number, has_series_number;
    /// ImagePositionPatient (mm) of the first frame.
    double position[3];
    /// ImageOrientationPatient: row direction cosines, then column direction cosines.
    double orientation[6];
    /// PixelSpacing (mm): between rows, then between columns.
    double pixel_spacing[2];
    double rescale_slope, rescale_intercept;
    double spacing_between_slices, slice_thickness;
    int instance_number, series_number;
    /// 1 when each frame of a multi-frame object has its own ImagePositionPatient.
    int has_frame_positions;
    char series_uid[68];
    char transfer_syntax_uid[68];
    char sop_class_uid[68];
    char modality[20];
    char photometric[20];
    char series_description[68];
} TrowelDICOMHeader;

/// Reads the header of `path` (stopping before the pixel data). Returns a `TrowelDICOMStatus`;
/// on failure a one-line reason is written to `error` (at most `error_length` bytes with the NUL).
int trowel_dicom_read_header(const char *path, TrowelDICOMHeader *header, char *error, size_t error_length);

/// Writes the ImagePositionPatient of each of the `frames` frames of an enhanced multi-frame file
/// into `positions` (3 doubles per frame). Fails unless every frame has one.
int trowel_dicom_frame_positions(const char *path, int frames, double *positions, char *error, size_t error_length);

/// Decodes frames `first ..< first + count` of `path` into `buffer` as stored (before rescaling):
/// rows × columns samples of bits_allocated / 8 bytes each, per frame, in native byte order.
/// `length` must be exactly that size. Every transfer syntax GDCM decodes is accepted.
int trowel_dicom_read_frames(const char *path, int first, int count, void *buffer, size_t length,
                             char *error, size_t error_length);

#ifdef __cplusplus
}
#endif

#endif
