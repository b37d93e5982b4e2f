// bench-page-token: prints the training service's page token that starts a list right after
// a given sort key, so the benchmark can ask for page 20,000 of a list without walking 19,999
// pages first. Uses the service's own encoder (common/include/integration/api/page_token.h), whose
// tokens are explicitly not secret: a made-up key only moves where the caller's list starts.
//   bench-page-token --query "ListLearners|01|" --key 1577836800000000 --key bench-list-0000950
#include <iostream>
#include <string>
#include <vector>

#include "integration/api/page_token.h"

int main(int argc, char** argv) {
  std::string query;
  std::vector<std::string> key;
  bool query_seen = false;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--query" || arg == "--key") && i + 1 < argc) {
      if (arg == "--query") {
        query = argv[++i];
        query_seen = true;
      } else {
        key.emplace_back(argv[++i]);
      }
      continue;
    }
    std::cerr << "bench-page-token: usage: --query Q --key V [--key V ...]\n"
                 "  Q names the list as the service does, e.g. \"ListLearners|<lan>|<kommunkod>\"\n";
    return arg == "--help" ? 0 : 2;
  }
  if (!query_seen || key.empty()) {
    std::cerr << "bench-page-token: --query and at least one --key are required\n";
    return 2;
  }
  std::cout << integration::api::EncodePageToken(query, key) << "\n";
  return 0;
}
