// Driver for fuzz targets in builds without libFuzzer (g++): every seed file, then a fixed,
// reproducible stream of pseudo-random and mutated inputs. It finds crashes only by luck; its job
// is to keep the targets compiling and exercised under ASan/UBSan in every ctest run.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <iterator>
#include <random>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

int main(int argc, char** argv) {
  std::vector<std::vector<std::uint8_t>> seeds;
  for (int i = 1; i < argc; ++i) {
    const std::filesystem::path dir(argv[i]);
    if (!std::filesystem::is_directory(dir)) continue;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
      if (!entry.is_regular_file()) continue;
      std::ifstream in(entry.path(), std::ios::binary);
      seeds.emplace_back(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
    }
  }
  for (const auto& seed : seeds) LLVMFuzzerTestOneInput(seed.data(), seed.size());

  std::mt19937 rng(20261125);  // fixed: a failure reproduces
  std::uniform_int_distribution<int> byte(0, 255);
  constexpr int kRounds = 20000;
  for (int round = 0; round < kRounds; ++round) {
    std::vector<std::uint8_t> input;
    if (!seeds.empty() && round % 2 == 0) {
      input = seeds[static_cast<std::size_t>(round / 2) % seeds.size()];
      const int flips = 1 + round % 8;
      for (int f = 0; f < flips && !input.empty(); ++f) {
        input[static_cast<std::size_t>(rng()) % input.size()] = static_cast<std::uint8_t>(byte(rng));
      }
      if (round % 6 == 0 && !input.empty()) input.resize(static_cast<std::size_t>(rng()) % input.size());
    } else {
      input.resize(static_cast<std::size_t>(rng()) % 256);
      for (auto& b : input) b = static_cast<std::uint8_t>(byte(rng));
    }
    LLVMFuzzerTestOneInput(input.data(), input.size());
  }
  std::cout << "replayed " << seeds.size() << " seeds and " << kRounds << " generated inputs\n";
  return 0;
}
