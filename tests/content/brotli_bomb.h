// Brotli inputs for the content tests (the project links only the brotli
// decoder, so they are bytes made once with libbrotlienc 1.0.9).
//
// A brotli bomb: 1 GiB of zero bytes compressed by libbrotlienc 1.0.9
// (quality 5, lgwin 24) into 809 bytes, made once with a 20-line C
// program. It decodes to exactly 1 GiB (checked once with the decoder
// library; 7 s under ASan, too slow to repeat in every test run).
#pragma once

namespace ph::content::testing {
inline constexpr char kBrotliBombHex[] =
    "cfffff7f002400e2b14072effff9ffff0f8004401c1680eefd3fffffff01900088c302d0bdff"
    "e7ffff3f001200715800baf7fffcffff074002200e0b40f7fe9fffffff004800c46101e8deff"
    "f3ffff1f000980382c00ddfb7ffeffff032001108705a07bffcfffff7f002400e2b00074efff"
    "f9ffff0f8004401c1680eefd3fffffff01900088c302d0bdffe7ffff3f001200715800baf7ff"
    "fcffff074002200e0b40f7fe9fffffff004800c46101e8defff3ffff1f000980382c00ddfb7f"
    "feffff032001108705a07bffcfffff7f002400e2b00074effff9ffff0f8004401c1680eefd3f"
    "ffffff01900088c302d0bdffe7ffff3f001200715800baf7fffcffff074002200e0b40f7fe9f"
    "ffffff004800c46101e8defff3ffff1f000980382c00ddfb7ffeffff032001108705a07bffcf"
    "ffff7f002400e2b00074effff9ffff0f8004401c1680eefd3fffffff01900088c302d0bdffe7"
    "ffff3f001200715800baf7fffcffff074002200e0b40f7fe9fffffff004800c46101e8defff3"
    "ffff1f000980382c00ddfb7ffeffff032001108705a07bffcfffff7f002400e2b00074effff9"
    "ffff0f8004401c1680eefd3fffffff01900088c302d0bdffe7ffff3f001200715800baf7fffc"
    "ffff074002200e0b40f7fe9fffffff004800c46101e8defff3ffff1f000980382c00ddfb7ffe"
    "ffff032001108705a07bffcfffff7f002400e2b00074effff9ffff0f8004401c1680eefd3fff"
    "ffff01900088c302d0bdffe7ffff3f001200715800baf7fffcffff074002200e0b40f7fe9fff"
    "ffff004800c46101e8defff3ffff1f000980382c00ddfb7ffeffff032001108705a07bffcfff"
    "ff7f002400e2b00074effff9ffff0f8004401c1680eefd3fffffff01900088c302d0bdffe7ff"
    "ff3f001200715800baf7fffcffff074002200e0b40f7fe9fffffff004800c46101e8defff3ff"
    "ff1f000980382c00ddfb7ffeffff032001108705a07bffcfffff7f002400e2b00074effff9ff"
    "ff0f8004401c1680eefd3fffffff01900088c302d0bdffe7ffff3f001200715800baf7fffcff"
    "ff074002200e0b40f7fe9fffffff004800c46101e8defff3ffff1f000980382c00ddfb7ffeff"
    "ff032001108705a07bff3f";
inline constexpr unsigned long long kBrotliBombSize = 1ull << 30;

// kBrotliJsonPlain at quality 9, lgwin 22.
inline constexpr char kBrotliJsonPlain[] =
    R"({"device":"generated-0001","note":"brotli brotli text"})";
inline constexpr unsigned char kBrotliJson[] = {
    0x1b, 0x36, 0x00, 0x00, 0x04, 0xca, 0x6d, 0xa9, 0x8e, 0xcb, 0x1b, 0xfc, 0xea, 0x5a, 0x14,
    0x0d, 0x82, 0x20, 0x88, 0x4d, 0x04, 0x87, 0x1c, 0xb8, 0x9c, 0xce, 0x69, 0x60, 0xd4, 0x82,
    0x89, 0x1c, 0x07, 0x98, 0xa4, 0xdf, 0xf3, 0x90, 0x97, 0xa2, 0xaf, 0x31, 0x7a, 0x48, 0x4a,
    0x9c, 0xf1, 0xc2, 0xa1, 0x68, 0x67, 0xdf, 0x35, 0x0d, 0x7e, 0x1a, 0xfc};
}  // namespace ph::content::testing
