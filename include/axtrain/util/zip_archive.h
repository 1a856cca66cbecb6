// Integrity of a zip archive, checked before libtorch reads one. Checkpoints and training states are libtorch
// archives (zip files of stored entries, TorchScript sources deflated, with zip64 records). libtorch's reader does not
// verify the CRC-32 of an entry, and a corrupted TorchScript source inside the archive can crash it (a segfault in its
// type parser, found by the checkpoint mutation test), so every entry's structure and CRC-32 is verified here first.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace axtrain {

// What is wrong with `bytes` as a zip archive, in a few words naming the entry ("entry 'archive/data/3' fails
// its CRC-32 check"), or nothing when every entry of the central directory has a matching local header, lies
// inside the file before the directory, and has the CRC-32 and size the directory records (a deflated entry
// inflates to exactly that size, through a fixed buffer).
std::optional<std::string> zip_archive_fault(std::string_view bytes);

struct ZipEntry {
  std::string name;
  std::string contents;  // stored or inflated
};

// Every entry of an archive that passes zip_archive_fault's checks, in directory order. Throws axtrain::Error
// naming `what` (e.g. "'data.npz'") and the fault otherwise.
std::vector<ZipEntry> zip_archive_entries(std::string_view bytes, std::string_view what);

}  // namespace axtrain
