// GDCM behind the C interface of TrowelDICOM.h: header fields, frame positions, decoded frames.
#include "TrowelDICOM.h"

#include <gdcmAttribute.h>
#include <gdcmBoxRegion.h>
#include <gdcmDataSet.h>
#include <gdcmFileMetaInformation.h>
#include <gdcmImage.h>
#include <gdcmImageReader.h>
#include <gdcmImageRegionReader.h>
#include <gdcmReader.h>
#include <gdcmSequenceOfItems.h>
#include <gdcmTag.h>
#include <gdcmTrace.h>
#include <gdcmTransferSyntax.h>

#include <csetjmp>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <set>
#include <string>
#include <vector>

namespace {

const gdcm::Tag pixelDataTag(0x7fe0, 0x0010);
const gdcm::Tag sharedGroupsTag(0x5200, 0x9229);
const gdcm::Tag perFrameGroupsTag(0x5200, 0x9230);

/// GDCM prints warnings and errors to stderr; Trowel reports its own one-line errors instead.
void quietGDCM() {
    static const bool silenced = [] {
        gdcm::Trace::SetDebug(false);
        gdcm::Trace::SetWarning(false);
        gdcm::Trace::SetError(false);
        return true;
    }();
    (void)silenced;
}

void setError(char *error, size_t length, const std::string &message) {
    if (error == nullptr || length == 0) return;
    std::snprintf(error, length, "%s", message.c_str());
}

void copyString(char *out, size_t length, const std::string &value) {
    std::snprintf(out, length, "%s", value.c_str());
}

/// The text value of a string-VR element (DS, IS, UI, CS, LO …), trimmed of spaces and NULs.
bool stringValue(const gdcm::DataSet &ds, const gdcm::Tag &tag, std::string &out) {
    if (!ds.FindDataElement(tag)) return false;
    const gdcm::DataElement &de = ds.GetDataElement(tag);
    const gdcm::ByteValue *bv = de.GetByteValue();
    if (bv == nullptr) return false;
    std::string s(bv->GetPointer(), bv->GetLength());
    size_t begin = s.find_first_not_of(" \t\r\n");
    size_t end = s.find_last_not_of(std::string(" \t\r\n\0", 5));
    if (begin == std::string::npos || end == std::string::npos || end < begin) return false;
    out = s.substr(begin, end - begin + 1);
    return !out.empty();
}

/// The backslash-separated numbers of a DS or IS element; false unless exactly `count` parse.
bool numbers(const gdcm::DataSet &ds, const gdcm::Tag &tag, double *out, int count) {
    std::string text;
    if (!stringValue(ds, tag, text)) return false;
    int found = 0;
    size_t start = 0;
    while (start <= text.size() && found < count + 1) {
        size_t stop = text.find('\\', start);
        std::string part = text.substr(start, stop == std::string::npos ? std::string::npos : stop - start);
        char *end = nullptr;
        double value = std::strtod(part.c_str(), &end);
        if (end == part.c_str()) return false;
        if (found < count) out[found] = value;
        found += 1;
        if (stop == std::string::npos) break;
        start = stop + 1;
    }
    return found == count;
}

/// A sequence's item together with the sequence that holds it. GetValueAsSQ() returns the
/// element's own sequence when GDCM parsed it as one, but when GDCM kept the value as bytes (VR UN,
/// a CP-246 or mis-encoded sequence, or a defined-length sequence read without a VR) it parses
/// them into a new SequenceOfItems on every call, owned only by the pointer it returns: an item's
/// data set is valid only while `sequence` lives (found by Fuzz/fuzz-dicom as a read of freed
/// memory, then a crash, after a pointer to the item outlived that sequence).
struct SequenceItem {
    gdcm::SmartPointer<gdcm::SequenceOfItems> sequence;
    const gdcm::DataSet *dataSet = nullptr;
    explicit operator bool() const { return dataSet != nullptr; }
    const gdcm::DataSet &operator*() const { return *dataSet; }
};

/// Item `index` (1-based) of sequence `tag` in `ds`, holding the sequence; empty when there is none.
SequenceItem sequenceItem(const gdcm::DataSet &ds, const gdcm::Tag &tag, size_t index = 1) {
    SequenceItem found;
    if (!ds.FindDataElement(tag)) return found;
    found.sequence = ds.GetDataElement(tag).GetValueAsSQ();
    if (!found.sequence || index < 1 || found.sequence->GetNumberOfItems() < index) return found;
    found.dataSet = &found.sequence->GetItem(index).GetNestedDataSet();
    return found;
}

/// Looks `tag` up at the top level, then in the functional group macro `macro` of the shared and
/// the first per-frame functional groups.
bool groupNumbers(const gdcm::DataSet &ds, const gdcm::Tag &macro, const gdcm::Tag &tag, double *out, int count) {
    if (numbers(ds, tag, out, count)) return true;
    for (const gdcm::Tag &groups : {sharedGroupsTag, perFrameGroupsTag}) {
        if (SequenceItem group = sequenceItem(ds, groups)) {
            if (SequenceItem item = sequenceItem(*group, macro)) {
                if (numbers(*item, tag, out, count)) return true;
            }
        }
    }
    return false;
}

template <uint16_t Group, uint16_t Element>
bool unsignedShort(const gdcm::DataSet &ds, int &out) {
    gdcm::Attribute<Group, Element> attribute;
    if (!ds.FindDataElement(attribute.GetTag())) return false;
    const gdcm::DataElement &de = ds.GetDataElement(attribute.GetTag());
    if (de.IsEmpty()) return false;
    attribute.SetFromDataElement(de);
    out = int(attribute.GetValue());
    return true;
}

uint32_t word(const unsigned char *b, bool bigEndian) {
    return bigEndian ? (uint32_t(b[0]) << 24 | uint32_t(b[1]) << 16 | uint32_t(b[2]) << 8 | b[3])
                     : (uint32_t(b[3]) << 24 | uint32_t(b[2]) << 16 | uint32_t(b[1]) << 8 | b[0]);
}

/// Whether the Pixel Data value starting at `at` (length bytes `length`) runs past the end of `f`:
/// a defined length past the end, or encapsulated items with no sequence delimiter before it.
int pixelDataTruncated(FILE *f, size_t at, const unsigned char *length, bool bigEndian) {
    if (std::fseek(f, 0, SEEK_END) != 0) return 0;
    long end = std::ftell(f);
    if (end < 0) return 0;
    uint32_t n = word(length, bigEndian);
    if (n != 0xffffffffu) return at + size_t(n) > size_t(end);
    size_t position = at;
    for (int items = 0; items < 1 << 24; items++) {
        unsigned char item[8];
        if (std::fseek(f, long(position), SEEK_SET) != 0 || std::fread(item, 1, 8, f) != 8) return 1;
        bool delimiter = item[0] == 0xfe && item[1] == 0xff && item[2] == 0xdd && item[3] == 0xe0;
        if (delimiter) return 0;
        position += 8 + size_t(word(item + 4, bigEndian));
        if (position > size_t(end)) return 1;
    }
    return 0;
}

/// GDCM allocates an element's declared length before reading it, so a 791-byte file declaring a
/// 4 GB element made it ask for 4 GB (found by Fuzz/fuzz-dicom). This walks the elements before the
/// pixel data (explicit or implicit VR, little or big endian, into sequences and items) and refuses
/// a file whose element declares more bytes than the file has left, before GDCM sees it.
///
/// An element of an explicit VR little endian data set whose VR bytes are not a VR makes GDCM's
/// reader start over with its fallbacks, in order: from that element on, VR16ExplicitDataElement
/// (every VR, and no VR, with a 2-byte length; only long VRs keep 4 bytes); failing that, the
/// whole data set again with ExplicitImplicitDataElement (an element with a VR is explicit, one
/// without is implicit: a 4-byte length right after the tag). Fuzz/fuzz-dicom found 537-byte files
/// whose second reading met a 2 GB length, which GDCM allocated and zeroed (seconds) before failing.
/// At the top level of the data set the walk follows the same two readings; inside a sequence,
/// where GDCM's item reader recovers in ways of its own, it stops checking rather than guess.
bool lengthsFit(const char *path, char *error, size_t error_length) {
    FILE *f = std::fopen(path, "rb");
    if (f == nullptr) return true;  // GDCM reports an unreadable file in its own words
    std::vector<unsigned char> b;
    unsigned char chunk[65536];
    size_t n;
    while ((n = std::fread(chunk, 1, sizeof chunk, f)) > 0) b.insert(b.end(), chunk, chunk + n);
    std::fclose(f);
    if (b.size() < 132 || std::memcmp(&b[128], "DICM", 4) != 0) return true;
    auto u16 = [&](size_t at, bool big) { return big ? unsigned(b[at]) << 8 | b[at + 1] : unsigned(b[at + 1]) << 8 | b[at]; };
    auto u32 = [&](size_t at, bool big) {
        return big ? uint32_t(b[at]) << 24 | uint32_t(b[at + 1]) << 16 | uint32_t(b[at + 2]) << 8 | b[at + 3]
                   : uint32_t(b[at + 3]) << 24 | uint32_t(b[at + 2]) << 16 | uint32_t(b[at + 1]) << 8 | b[at];
    };
    // The VRs of PS3.5 (GDCM 3.0 reads exactly these; any other two bytes make its VR INVALID).
    auto validVR = [&](size_t at) {
        static const char *const names[] = {"AE", "AS", "AT", "CS", "DA", "DS", "DT", "FD", "FL", "IS", "LO", "LT",
                                            "OB", "OD", "OF", "OL", "OV", "OW", "PN", "SH", "SL", "SQ", "SS", "ST",
                                            "SV", "TM", "UC", "UI", "UL", "UN", "UR", "US", "UT", "UV"};
        for (const char *name : names) if (b[at] == name[0] && b[at + 1] == name[1]) return true;
        return false;
    };
    auto longVR = [&](size_t at) {
        static const char *const names[] = {"OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV"};
        for (const char *name : names) if (b[at] == name[0] && b[at + 1] == name[1]) return true;
        return false;
    };
    auto tooLong = [&](unsigned group, unsigned element, uint32_t length, size_t left, const char *how) {
        char text[200];
        std::snprintf(text, sizeof text, "element (%04x,%04x)%s declares %u bytes, more than the %zu left in the file (truncated or corrupt)",
                      group, element, how, unsigned(length), left);
        setError(error, error_length, text);
        return false;
    };
    // GDCM's VR16 reading from `from` to the pixel data: 0 when it reads through, 1 when an element
    // declares more than is left (then `error` says which), 2 when it throws as GDCM's does.
    auto vr16 = [&](size_t from) {
        size_t at = from;
        while (at + 8 <= b.size()) {
            unsigned group = u16(at, false), element = u16(at + 2, false);
            if (group == 0x7fe0 && element == 0x0010) return 0;
            if (group == 0xfffe) { at += 8; continue; }  // items and delimiters: tag and 4-byte length
            bool hasVR = validVR(at + 4);
            uint32_t length;
            size_t header = 8;
            if (hasVR && longVR(at + 4)) {
                if (at + 12 > b.size()) return 2;
                length = u32(at + 8, false);
                header = 12;
            } else {
                length = u16(at + 6, false);
            }
            if (group == 0 && element == 0 && length == 0 && !hasVR) return 2;
            if (length == 0xffffffff) { at += header; continue; }
            if (length > b.size() - at - header) {
                // GDCM allocates the length, fails and goes on to its next reading: harmless for a
                // 2-byte length, refused for a 4-byte one.
                if (header == 8) return 2;
                tooLong(group, element, length, b.size() - at - header, "");
                return 1;
            }
            at += header + (hasVR && b[at + 4] == 'S' && b[at + 5] == 'Q' ? 0 : length);
        }
        return 0;
    };
    bool implicitDataset = false, bigDataset = false, deflated = false, knownSyntax = false;
    // After an element without a VR at the top level: the data set as GDCM's ExplicitImplicit
    // fallback reads it (elements without a VR are implicit).
    bool mixed = false;
    // Where the sequences and items the walk is inside end: defined lengths by offset, undefined
    // ones by their delimiters. Only whether there are any is used.
    std::vector<size_t> containerEnds;
    int undefinedContainers = 0;
    size_t at = 132;
    while (at + 8 <= b.size()) {
        while (!containerEnds.empty() && at >= containerEnds.back()) containerEnds.pop_back();
        bool nested = !containerEnds.empty() || undefinedContainers > 0;
        bool meta = u16(at, false) == 0x0002;
        bool big = meta ? false : bigDataset;
        // Past the meta group only with a known transfer syntax (never a guess that could refuse a
        // file GDCM reads); a deflated data set is a zlib stream GDCM inflates itself.
        if (!meta && (deflated || !knownSyntax)) break;
        unsigned group = u16(at, big), element = u16(at + 2, big);
        if (group == 0x7fe0 && element == 0x0010) break;  // pixel data: checked when decoded
        uint32_t length;
        size_t header;
        if (group == 0xfffe) {  // item and delimiters: tag + 4-byte length, in any transfer syntax
            length = u32(at + 4, big);
            header = 8;
            if (element == 0xe00d || element == 0xe0dd) {
                if (undefinedContainers > 0) undefinedContainers -= 1;
                at += header;
                continue;
            }
            if (element != 0xe000) { at += header; continue; }
            if (length == 0xffffffff) { undefinedContainers += 1; at += header; continue; }
            // A defined-length item: its elements are walked like any others.
            if (length > b.size() - at - header) break;
            containerEnds.push_back(at + header + length);
            at += header;
            continue;
        }
        bool implicit = meta ? !validVR(at + 4) : implicitDataset;
        if (!meta && !implicit && !validVR(at + 4)) {
            // In a sequence's item GDCM recovers such an element as UN, with a 4-byte length after
            // the VR (found as a 40-byte UN value; a 1.6 KB file made it allocate 3.6 GB this way).
            if (nested && at + 12 <= b.size() && u32(at + 8, big) != 0xffffffff && u32(at + 8, big) > b.size() - at - 12)
                return tooLong(group, element, u32(at + 8, big), b.size() - at - 12, " has no valid VR and");
            if (big || nested) break;  // beyond that, stop checking rather than guess
            if (!mixed) {
                int read = vr16(at);
                if (read == 0) return true;  // GDCM reads the rest with 2-byte lengths
                if (read == 1) return false;
                mixed = true;
            }
            implicit = true;  // GDCM's last reading: this element is implicit VR
        }
        if (implicit) {
            length = u32(at + 4, big);
            header = 8;
        } else if (longVR(at + 4)) {
            if (at + 12 > b.size()) break;
            length = u32(at + 8, big);
            header = 12;
        } else {
            length = u16(at + 6, big);
            header = 8;
        }
        bool sequence = !implicit && b[at + 4] == 'S' && b[at + 5] == 'Q';
        if (length == 0xffffffff) {  // a sequence of undefined length: walk inside
            undefinedContainers += 1;
            at += header;
            continue;
        }
        if (length > b.size() - at - header)
            return tooLong(group, element, length, b.size() - at - header,
                           mixed && !meta && !implicitDataset && !validVR(at + 4) ? " has no valid VR and, read as implicit VR as GDCM's fallback does," : "");
        if (meta && group == 0x0002 && element == 0x0010) {
            std::string syntax(reinterpret_cast<const char *>(&b[at + header]), length);
            while (!syntax.empty() && (syntax.back() == '\0' || syntax.back() == ' ')) syntax.pop_back();
            implicitDataset = syntax == "1.2.840.10008.1.2";
            bigDataset = syntax == "1.2.840.10008.1.2.2";
            deflated = syntax == "1.2.840.10008.1.2.1.99";
            knownSyntax = true;
        }
        // Explicit sequences of defined length are walked into; other values are skipped.
        if (sequence) containerEnds.push_back(at + header + length);
        at += header + (sequence ? 0 : length);
    }
    return true;
}

bool openHeader(const char *path, gdcm::Reader &reader, char *error, size_t error_length) {
    quietGDCM();
    if (!lengthsFit(path, error, error_length)) return false;
    reader.SetFileName(path);
    std::set<gdcm::Tag> skip;
    skip.insert(pixelDataTag);
    if (!reader.ReadUpToTag(pixelDataTag, skip)) {
        setError(error, error_length, "not a DICOM file GDCM can read");
        return false;
    }
    return true;
}

} // namespace

static int readHeader(const char *path, TrowelDICOMHeader *h, char *error, size_t error_length) {
    std::memset(h, 0, sizeof(*h));
    gdcm::Reader reader;
    if (!openHeader(path, reader, error, error_length)) return TROWEL_DICOM_UNREADABLE;
    const gdcm::File &file = reader.GetFile();
    const gdcm::DataSet &ds = file.GetDataSet();
    const gdcm::FileMetaInformation &meta = file.GetHeader();

    std::string text;
    if (stringValue(meta, gdcm::Tag(0x0002, 0x0010), text)) copyString(h->transfer_syntax_uid, sizeof h->transfer_syntax_uid, text);
    else copyString(h->transfer_syntax_uid, sizeof h->transfer_syntax_uid, gdcm::TransferSyntax::GetTSString(meta.GetDataSetTransferSyntax()));
    if (stringValue(ds, gdcm::Tag(0x0008, 0x0016), text) || stringValue(meta, gdcm::Tag(0x0002, 0x0002), text))
        copyString(h->sop_class_uid, sizeof h->sop_class_uid, text);
    if (stringValue(ds, gdcm::Tag(0x0020, 0x000e), text)) copyString(h->series_uid, sizeof h->series_uid, text);
    if (stringValue(ds, gdcm::Tag(0x0008, 0x0060), text)) copyString(h->modality, sizeof h->modality, text);
    if (stringValue(ds, gdcm::Tag(0x0028, 0x0004), text)) copyString(h->photometric, sizeof h->photometric, text);
    if (stringValue(ds, gdcm::Tag(0x0008, 0x103e), text)) copyString(h->series_description, sizeof h->series_description, text);

    unsignedShort<0x0028, 0x0010>(ds, h->rows);
    unsignedShort<0x0028, 0x0011>(ds, h->columns);
    h->samples_per_pixel = 1;
    unsignedShort<0x0028, 0x0002>(ds, h->samples_per_pixel);
    unsignedShort<0x0028, 0x0100>(ds, h->bits_allocated);
    if (!unsignedShort<0x0028, 0x0101>(ds, h->bits_stored)) h->bits_stored = h->bits_allocated;
    unsignedShort<0x0028, 0x0103>(ds, h->pixel_representation);
    double value[6];
    h->frames = numbers(ds, gdcm::Tag(0x0028, 0x0008), value, 1) ? int(value[0]) : 1;

    // Pixel Data: ReadUpToTag leaves the stream after the element's header (tag, VR, length) when
    // there is one, and at the end of the file otherwise. The tag is 12 bytes back in explicit VR,
    // 8 in implicit VR; the 4-byte length ends both. A value running past the end of the file
    // (or encapsulated fragments without their closing delimiter) means the file is truncated.
    h->has_pixel_data = 0;
    size_t at = reader.GetStreamCurrentPosition();
    if (at != size_t(-1) && at >= 12) {
        if (FILE *f = std::fopen(path, "rb")) {
            unsigned char head[12];
            if (std::fseek(f, long(at - 12), SEEK_SET) == 0 && std::fread(head, 1, 12, f) == 12) {
                const unsigned char little[4] = {0xe0, 0x7f, 0x10, 0x00}, big[4] = {0x7f, 0xe0, 0x00, 0x10};
                for (const unsigned char *tag : {head, head + 4}) {
                    if (std::memcmp(tag, little, 4) == 0 || std::memcmp(tag, big, 4) == 0) h->has_pixel_data = 1;
                }
                if (h->has_pixel_data) {
                    // Only explicit VR big endian has the tag 12 bytes back in big-endian order.
                    bool bigEndian = std::memcmp(head, big, 4) == 0;
                    h->pixel_data_truncated = pixelDataTruncated(f, at, head + 8, bigEndian);
                    h->pixel_data_offset = (long long)at;
                    h->pixel_data_length = (long long)word(head + 8, bigEndian);
                }
            }
            std::fclose(f);
        }
    }

    const gdcm::Tag planePosition(0x0020, 0x9113), planeOrientation(0x0020, 0x9116);
    const gdcm::Tag pixelMeasures(0x0028, 0x9110), valueTransformation(0x0028, 0x9145);
    h->has_position = groupNumbers(ds, planePosition, gdcm::Tag(0x0020, 0x0032), h->position, 3);
    h->has_orientation = groupNumbers(ds, planeOrientation, gdcm::Tag(0x0020, 0x0037), h->orientation, 6);
    h->has_pixel_spacing = groupNumbers(ds, pixelMeasures, gdcm::Tag(0x0028, 0x0030), h->pixel_spacing, 2);
    if (groupNumbers(ds, pixelMeasures, gdcm::Tag(0x0018, 0x0088), value, 1)) {
        h->has_spacing_between_slices = 1;
        h->spacing_between_slices = value[0];
    }
    if (groupNumbers(ds, pixelMeasures, gdcm::Tag(0x0018, 0x0050), value, 1)) {
        h->has_slice_thickness = 1;
        h->slice_thickness = value[0];
    }
    h->rescale_slope = 1;
    h->rescale_intercept = 0;
    double slope = 1, intercept = 0;
    bool hasSlope = groupNumbers(ds, valueTransformation, gdcm::Tag(0x0028, 0x1053), &slope, 1);
    bool hasIntercept = groupNumbers(ds, valueTransformation, gdcm::Tag(0x0028, 0x1052), &intercept, 1);
    if (hasSlope || hasIntercept) {
        h->has_rescale = 1;
        h->rescale_slope = hasSlope ? slope : 1;
        h->rescale_intercept = hasIntercept ? intercept : 0;
    }
    if (numbers(ds, gdcm::Tag(0x0020, 0x0013), value, 1)) {
        h->has_instance_number = 1;
        h->instance_number = int(value[0]);
    }
    if (numbers(ds, gdcm::Tag(0x0020, 0x0011), value, 1)) {
        h->has_series_number = 1;
        h->series_number = int(value[0]);
    }
    if (h->frames > 1) {
        if (ds.FindDataElement(perFrameGroupsTag)) {
            gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement(perFrameGroupsTag).GetValueAsSQ();
            if (sq && sq->GetNumberOfItems() == size_t(h->frames)) {
                double p[3];
                SequenceItem item = sequenceItem(sq->GetItem(1).GetNestedDataSet(), planePosition);
                h->has_frame_positions = item && numbers(*item, gdcm::Tag(0x0020, 0x0032), p, 3);
            }
        }
    }
    return TROWEL_DICOM_OK;
}

static int framePositions(const char *path, int frames, double *positions, char *error, size_t error_length) {
    gdcm::Reader reader;
    if (!openHeader(path, reader, error, error_length)) return TROWEL_DICOM_UNREADABLE;
    const gdcm::DataSet &ds = reader.GetFile().GetDataSet();
    if (!ds.FindDataElement(perFrameGroupsTag)) {
        setError(error, error_length, "no per-frame functional groups");
        return TROWEL_DICOM_UNREADABLE;
    }
    gdcm::SmartPointer<gdcm::SequenceOfItems> sq = ds.GetDataElement(perFrameGroupsTag).GetValueAsSQ();
    if (!sq || sq->GetNumberOfItems() != size_t(frames)) {
        setError(error, error_length, "the per-frame functional groups do not match the number of frames");
        return TROWEL_DICOM_UNREADABLE;
    }
    for (int k = 0; k < frames; k++) {
        SequenceItem item = sequenceItem(sq->GetItem(size_t(k) + 1).GetNestedDataSet(), gdcm::Tag(0x0020, 0x9113));
        if (!item || !numbers(*item, gdcm::Tag(0x0020, 0x0032), positions + 3 * k, 3)) {
            setError(error, error_length, "frame " + std::to_string(k + 1) + " has no ImagePositionPatient");
            return TROWEL_DICOM_UNREADABLE;
        }
    }
    return TROWEL_DICOM_OK;
}

static int readFrames(const char *path, int first, int count, void *buffer, size_t length, char *error, size_t error_length) {
    if (first < 0 || count <= 0) {
        setError(error, error_length, "no frames asked for");
        return TROWEL_DICOM_BAD_BUFFER;
    }
    quietGDCM();
    if (!lengthsFit(path, error, error_length)) return TROWEL_DICOM_UNREADABLE;
    // The region reader decodes only the frame asked for (raw, RLE, JPEG, JPEG-LS, JPEG 2000), one
    // frame per reader: GDCM's JPEG 2000 region decoder asserts on a box of several frames.
    size_t done = 0;
    for (int frame = first; frame < first + count; frame++) {
        gdcm::ImageRegionReader reader;
        reader.SetFileName(path);
        if (!reader.ReadInformation()) break;
        const gdcm::Image &image = reader.GetImage();
        unsigned int columns = image.GetDimension(0), rows = image.GetDimension(1);
        unsigned int frames = image.GetNumberOfDimensions() > 2 ? image.GetDimension(2) : 1;
        if (unsigned(first + count) > frames) {
            setError(error, error_length, "frames " + std::to_string(first + 1) + "-" + std::to_string(first + count)
                     + " asked for, the file has " + std::to_string(frames));
            return TROWEL_DICOM_BAD_BUFFER;
        }
        gdcm::BoxRegion box;
        box.SetDomain(0, columns - 1, 0, rows - 1, unsigned(frame), unsigned(frame));
        reader.SetRegion(box);
        size_t needed = reader.ComputeBufferLength();
        if (needed * size_t(count) != length) {
            setError(error, error_length, "the frames hold " + std::to_string(needed * size_t(count)) + " bytes, not "
                     + std::to_string(length) + " as the header says");
            return TROWEL_DICOM_BAD_BUFFER;
        }
        if (!reader.ReadIntoBuffer(static_cast<char *>(buffer) + done, needed)) break;
        done += needed;
    }
    if (done == length) return TROWEL_DICOM_OK;
    // Otherwise decode the whole object and copy the frames out.
    gdcm::ImageReader reader;
    reader.SetFileName(path);
    if (!reader.Read()) {
        gdcm::Reader plain;
        plain.SetFileName(path);
        if (plain.Read() && !plain.GetFile().GetDataSet().FindDataElement(pixelDataTag)) {
            setError(error, error_length, "no pixel data");
            return TROWEL_DICOM_NO_PIXEL_DATA;
        }
        setError(error, error_length, "GDCM cannot decode its pixel data");
        return TROWEL_DICOM_DECODE_FAILED;
    }
    const gdcm::Image &image = reader.GetImage();
    size_t total = image.GetBufferLength();
    unsigned int frames = image.GetNumberOfDimensions() > 2 ? image.GetDimension(2) : 1;
    if (frames == 0 || total % frames != 0 || unsigned(first + count) > frames) {
        setError(error, error_length, "the pixel data does not hold the frames the header announces");
        return TROWEL_DICOM_BAD_BUFFER;
    }
    size_t frameBytes = total / frames;
    if (frameBytes * size_t(count) != length) {
        setError(error, error_length, "the frames hold " + std::to_string(frameBytes * size_t(count)) + " bytes, not "
                 + std::to_string(length) + " as the header says");
        return TROWEL_DICOM_BAD_BUFFER;
    }
    std::vector<char> whole(total);
    if (!image.GetBuffer(whole.data())) {
        setError(error, error_length, "GDCM cannot decode its pixel data");
        return TROWEL_DICOM_DECODE_FAILED;
    }
    std::memcpy(buffer, whole.data() + frameBytes * size_t(first), length);
    return TROWEL_DICOM_OK;
}

// GDCM throws on some damaged files (and an exception crossing into Swift would abort the
// process): every entry point turns one into a failed status with its message. Debian builds GDCM
// with its assert()s on, and a damaged file can fail one (found by Fuzz/fuzz-dicom: a file meta
// group whose lengths do not add up), which would abort the whole process: while GDCM runs on a
// thread, SIGABRT jumps back to that entry point, which fails with a status instead. A SIGABRT
// outside GDCM goes to the handler that was there before.
namespace {
thread_local sigjmp_buf *abortJump = nullptr;
struct sigaction previousAbortAction;
std::once_flag abortHandlerInstalled;

extern "C" void onAbortInGDCM(int signal) {
    if (sigjmp_buf *jump = abortJump) {
        abortJump = nullptr;
        siglongjmp(*jump, 1);
    }
    sigaction(SIGABRT, &previousAbortAction, nullptr);
    raise(signal);
}

void installAbortHandler() {
    std::call_once(abortHandlerInstalled, [] {
        struct sigaction action;
        std::memset(&action, 0, sizeof action);
        action.sa_handler = onAbortInGDCM;
        sigemptyset(&action.sa_mask);
        sigaction(SIGABRT, &action, &previousAbortAction);
    });
}

template <typename Body>
int guarded(char *error, size_t error_length, int status, Body body) {
    installAbortHandler();
    sigjmp_buf jump;
    sigjmp_buf *const outer = abortJump;
    if (sigsetjmp(jump, 1) != 0) {
        // GDCM's objects on the abandoned frames leak; the file is refused.
        abortJump = outer;
        setError(error, error_length, "GDCM stopped on one of its internal checks (the file is damaged)");
        return status;
    }
    abortJump = &jump;
    int result = status;
    try {
        result = body();
    } catch (const std::exception &e) {
        setError(error, error_length, std::string("GDCM failed: ") + e.what());
    } catch (...) {
        setError(error, error_length, "GDCM failed");
    }
    abortJump = outer;
    return result;
}
} // namespace

extern "C" int trowel_dicom_read_header(const char *path, TrowelDICOMHeader *header, char *error, size_t error_length) {
    return guarded(error, error_length, TROWEL_DICOM_UNREADABLE, [&] { return readHeader(path, header, error, error_length); });
}

extern "C" int trowel_dicom_frame_positions(const char *path, int frames, double *positions, char *error, size_t error_length) {
    return guarded(error, error_length, TROWEL_DICOM_UNREADABLE,
                   [&] { return framePositions(path, frames, positions, error, error_length); });
}

extern "C" int trowel_dicom_read_frames(const char *path, int first, int count, void *buffer, size_t length,
                                        char *error, size_t error_length) {
    return guarded(error, error_length, TROWEL_DICOM_DECODE_FAILED,
                   [&] { return readFrames(path, first, count, buffer, length, error, error_length); });
}
