#pragma once
#include <string>

namespace neurotwin {

// SHA-256 (FIPS 180-4) of a byte string, as 64 lowercase hex digits. Used to
// identify morphologies and files by content.
std::string sha256_hex(const std::string& bytes);

}  // namespace neurotwin
