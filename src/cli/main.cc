// phonehome command line (placeholder until the CLI lands).
#include <cstdio>
int main() {
  std::puts("phonehome " PHONEHOME_VERSION);
  return 0;
}
