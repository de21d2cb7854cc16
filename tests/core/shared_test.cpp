#include "sondar/shared.h"

#include <gtest/gtest.h>

#include <string>
#include <thread>
#include <vector>

namespace sondar {
namespace {

// Counts live instances, so a test sees when the shared value is destroyed.
struct Tracked {
  explicit Tracked(int* live, std::string text) : live(live), text(text) {
    ++*live;
  }
  ~Tracked() { --*live; }
  int* live;
  std::string text;
};

TEST(Shared, TheLastOwnerDestroysTheValue) {
  int live = 0;
  {
    Shared<const Tracked> a = Shared<const Tracked>::Make(&live, "one");
    EXPECT_EQ(live, 1);
    EXPECT_EQ(a->text, "one");
    Shared<const Tracked> b = a;
    EXPECT_EQ(a, b);
    EXPECT_EQ(a.get(), b.get());
    a = nullptr;
    EXPECT_EQ(live, 1);
    EXPECT_FALSE(a);
    EXPECT_EQ(a, nullptr);
    EXPECT_EQ((*b).text, "one");
    Shared<const Tracked> c = std::move(b);
    EXPECT_EQ(b, nullptr);
    EXPECT_EQ(live, 1);
    c = Shared<const Tracked>::Make(&live, "two");
    EXPECT_EQ(live, 1);
    EXPECT_EQ(c->text, "two");
    c = c;  // self-assignment keeps the value
    EXPECT_EQ(live, 1);
  }
  EXPECT_EQ(live, 0);
}

TEST(Shared, OwnersOnManyThreadsReleaseTheValueOnce) {
  int live = 0;
  Shared<const Tracked> original = Shared<const Tracked>::Make(&live, "t");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([copy = original] {
      for (int i = 0; i < 10000; ++i) {
        Shared<const Tracked> again = copy;
        EXPECT_EQ(again->text, "t");
      }
    });
  }
  original = nullptr;
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(live, 0);
}

}  // namespace
}  // namespace sondar
