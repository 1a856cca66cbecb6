#include "axtrain/data/idx.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"

#include <zlib.h>

#include <algorithm>
#include <limits>

namespace axtrain {
namespace {

constexpr unsigned char kTypeUnsignedByte = 0x08;

bool ends_with_gz(const std::string& path) {
  return path.size() >= 3 && path.compare(path.size() - 3, 3, ".gz") == 0;
}

// A gzip file held in memory, inflated in steps so that reading stops at the size the IDX header declares
// (a stream that inflates to more is refused before it fills memory). Any zlib error is a user error.
class Gunzip {
 public:
  Gunzip(const std::string& compressed, const std::string& path) : path_(path) {
    AXT_CHECK(compressed.size() <= std::numeric_limits<uInt>::max(), "file '{}' is over 4 GiB; IDX files are smaller",
              path);
    AXT_ASSERT(inflateInit2(&zs_, 15 + 16) == Z_OK);  // 15 + 16: gzip header and trailer
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(compressed.data()));
    zs_.avail_in = static_cast<uInt>(compressed.size());
  }
  ~Gunzip() { inflateEnd(&zs_); }
  Gunzip(const Gunzip&) = delete;
  Gunzip& operator=(const Gunzip&) = delete;

  // Inflates into `out` until it holds `limit` bytes, the stream ends or the input runs out.
  void inflate_to(std::string& out, std::size_t limit) {
    while (rc_ == Z_OK && out.size() < limit) {
      const std::size_t produced = out.size();
      out.resize(std::min(limit, std::max<std::size_t>(produced * 2, 4096)));
      zs_.next_out = reinterpret_cast<Bytef*>(out.data() + produced);
      zs_.avail_out = static_cast<uInt>(std::min<std::size_t>(out.size() - produced, 1u << 30));
      const uInt before = zs_.avail_out;
      rc_ = inflate(&zs_, Z_NO_FLUSH);
      out.resize(produced + (before - zs_.avail_out));
      if (rc_ == Z_BUF_ERROR && zs_.avail_in == 0) break;  // input used up before the end of the stream
      if (rc_ == Z_BUF_ERROR) rc_ = Z_OK;                  // no room was left: resize and go on
    }
    if (rc_ == Z_OK || rc_ == Z_STREAM_END) return;
    const std::string detail = zs_.msg ? zs_.msg : (rc_ == Z_BUF_ERROR ? "unexpected end of file" : zError(rc_));
    AXT_FAIL("file '{}' is not a valid gzip stream ({}); the file is corrupt or truncated: download or reinstall it",
             path_, detail);
  }
  // After the last inflate_to: the stream ended and nothing follows it.
  void check_complete() const {
    AXT_CHECK(rc_ == Z_STREAM_END,
              "file '{}' is not a valid gzip stream (unexpected end of file); the file is corrupt or truncated: "
              "download or reinstall it",
              path_);
    AXT_CHECK(zs_.avail_in == 0,
              "gzip file '{}' has {} bytes after the end of its compressed stream; the file is corrupt: download or "
              "reinstall it",
              path_, zs_.avail_in);
  }

 private:
  z_stream zs_{};
  int rc_ = Z_OK;
  std::string path_;
};

std::string gzip_bytes(const std::string& raw) {
  z_stream zs{};
  AXT_ASSERT(deflateInit2(&zs, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&zs, static_cast<uLong>(raw.size())), '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(raw.data()));
  zs.avail_in = static_cast<uInt>(raw.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  const int rc = deflate(&zs, Z_FINISH);
  AXT_ASSERT(rc == Z_STREAM_END);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  return out;
}

std::string dims_text(const std::vector<std::int64_t>& dims) {
  std::string s;
  for (std::size_t i = 0; i < dims.size(); ++i) s += (i ? "x" : "") + std::to_string(dims[i]);
  return s;
}

constexpr std::size_t kMaxHeaderBytes = 4 + 4 * 255;  // magic, type, up to 255 dimensions

struct IdxHeader {
  std::vector<std::int64_t> dims;
  std::size_t size = 0;   // bytes of the header
  std::size_t items = 0;  // bytes of data it declares
};

// The header's checks, on the bytes read so far (at least kMaxHeaderBytes of them unless the file is shorter).
IdxHeader parse_header(const std::string& bytes, const std::string& path) {
  AXT_CHECK(bytes.size() >= 4,
            "IDX file '{}' has {} bytes, fewer than the 4-byte header; the file is truncated "
            "or not an IDX file",
            path, bytes.size());
  const auto byte = [&](std::size_t i) { return static_cast<unsigned char>(bytes[i]); };
  AXT_CHECK(byte(0) == 0 && byte(1) == 0,
            "file '{}' starts with bytes 0x{:02x} 0x{:02x}; an IDX file starts with "
            "0x00 0x00{}",
            path, byte(0), byte(1),
            byte(0) == 0x1f && byte(1) == 0x8b ? " (this looks gzip-compressed: name it *.gz)" : "");
  AXT_CHECK(byte(2) == kTypeUnsignedByte,
            "IDX file '{}' has data type 0x{:02x}; only 0x08 (unsigned byte) is "
            "supported, as used by MNIST and Fashion-MNIST",
            path, byte(2));
  const std::size_t ndims = byte(3);
  AXT_CHECK(ndims >= 1, "IDX file '{}' declares 0 dimensions; an IDX array has at least one", path);
  const std::size_t header = 4 + 4 * ndims;
  AXT_CHECK(bytes.size() >= header,
            "IDX file '{}' declares {} dimensions but ends after {} bytes, inside the "
            "header; the file is truncated",
            path, ndims, bytes.size());
  IdxHeader h;
  std::size_t items = 1;
  for (std::size_t d = 0; d < ndims; ++d) {
    const std::size_t at = 4 + 4 * d;
    const std::uint32_t dim = (std::uint32_t{byte(at)} << 24) | (std::uint32_t{byte(at + 1)} << 16) |
                              (std::uint32_t{byte(at + 2)} << 8) | std::uint32_t{byte(at + 3)};
    h.dims.push_back(dim);
    AXT_CHECK(dim == 0 || items <= (std::size_t{1} << 40) / dim,
              "IDX file '{}' declares dimensions {}..., over "
              "2^40 items; the header is corrupt",
              path, dims_text(h.dims));
    items *= dim;
  }
  h.size = header;
  h.items = items;
  return h;
}

}  // namespace

IdxArray read_idx(const std::string& path) {
  const std::string file = read_file(path);
  std::string inflated;
  if (ends_with_gz(path)) {
    Gunzip gunzip(file, path);
    std::string& bytes = inflated;
    gunzip.inflate_to(bytes, kMaxHeaderBytes);
    if (bytes.size() < kMaxHeaderBytes) gunzip.check_complete();  // the whole stream is shorter than that
    const IdxHeader declared = parse_header(bytes, path);
    const std::size_t expected = declared.size + declared.items;
    gunzip.inflate_to(bytes, expected + 1);
    AXT_CHECK(bytes.size() <= expected,
              "gzip file '{}' inflates to more than the {} bytes its IDX header declares ({}); reading stopped "
              "there: the file is corrupt, regenerate it",
              path, expected, dims_text(declared.dims));
    gunzip.check_complete();
  }
  const std::string& bytes = ends_with_gz(path) ? inflated : file;
  const IdxHeader h = parse_header(bytes, path);
  IdxArray array;
  array.dims = h.dims;
  const std::size_t header = h.size, items = h.items;
  const std::size_t held = bytes.size() - header;
  AXT_CHECK(held >= items,
            "IDX file '{}' declares {} items ({}) but holds {} bytes of data; the file is "
            "truncated: download or reinstall it",
            path, items, dims_text(array.dims), held);
  AXT_CHECK(held == items,
            "IDX file '{}' declares {} items ({}) but holds {} bytes of data, {} trailing bytes; "
            "the header or the file is wrong: regenerate it",
            path, items, dims_text(array.dims), held, held - items);
  array.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return array;
}

std::string encode_idx(const IdxArray& array) {
  AXT_CHECK(!array.dims.empty() && array.dims.size() <= 255, "an IDX array has 1 to 255 dimensions, not {}",
            array.dims.size());
  std::size_t items = 1;
  std::string out{'\0', '\0', static_cast<char>(kTypeUnsignedByte), static_cast<char>(array.dims.size())};
  for (std::int64_t dim : array.dims) {
    AXT_CHECK(dim >= 0 && dim <= 0xFFFFFFFFLL, "IDX dimension {} is outside 0..4294967295", dim);
    const auto u = static_cast<std::uint32_t>(dim);
    for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<char>((u >> shift) & 0xFF));
    items *= static_cast<std::size_t>(dim);
  }
  AXT_CHECK(array.data.size() == items, "IDX array of dimensions {} needs {} bytes of data, not {}",
            dims_text(array.dims), items, array.data.size());
  out.append(array.data.begin(), array.data.end());
  return out;
}

void write_idx(const std::string& path, const IdxArray& array, bool gzip) {
  const std::string raw = encode_idx(array);
  write_file_atomic(path, gzip ? gzip_bytes(raw) : raw);
}

Dataset idx_dataset(const std::string& images_path, const std::string& labels_path, const std::string& name) {
  const IdxArray images = read_idx(images_path);
  const IdxArray labels = read_idx(labels_path);
  AXT_CHECK(images.dims.size() == 2 || images.dims.size() == 3,
            "IDX image file '{}' has dimensions {}; images "
            "are n x H x W (3-D) or n x D (2-D)",
            images_path, dims_text(images.dims));
  AXT_CHECK(labels.dims.size() == 1,
            "IDX label file '{}' has dimensions {}; labels are one dimension of n "
            "entries",
            labels_path, dims_text(labels.dims));
  AXT_CHECK(images.dims[0] == labels.dims[0],
            "IDX image file '{}' holds {} images but label file '{}' holds {} "
            "labels; give the matching pair of files",
            images_path, images.dims[0], labels_path, labels.dims[0]);
  Dataset data;
  data.name = name;
  data.task = Task::kClassification;
  if (images.dims.size() == 3)
    data.sample_shape = {1, images.dims[1], images.dims[2]};
  else
    data.sample_shape = {images.dims[1]};
  AXT_CHECK(data.feature_dim() > 0, "IDX image file '{}' has dimensions {}: each image is empty", images_path,
            dims_text(images.dims));
  data.features.resize(images.data.size());
  std::transform(images.data.begin(), images.data.end(), data.features.begin(),
                 [](std::uint8_t p) { return static_cast<float>(p) / 255.0f; });
  data.labels.assign(labels.data.begin(), labels.data.end());
  const auto max_label = std::max_element(labels.data.begin(), labels.data.end());
  data.num_classes = max_label == labels.data.end() ? 1 : *max_label + 1;
  data.validate();
  return data;
}

}  // namespace axtrain
