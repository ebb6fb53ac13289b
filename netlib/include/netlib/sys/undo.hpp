#pragma once
// Rollback for multi-step creation: push an undo action right after each step succeeds;
// if the scope ends without dismiss(), the actions run in reverse order. A successful ADD
// calls dismiss() once at the very end, so no step can be forgotten on an error path.
#include <functional>
#include <utility>
#include <vector>

namespace netlib::sys {

class UndoStack {
public:
    UndoStack() = default;
    UndoStack(const UndoStack&) = delete;
    UndoStack& operator=(const UndoStack&) = delete;
    ~UndoStack() {
        for (auto it = actions_.rbegin(); it != actions_.rend(); ++it) (*it)();
    }
    void push(std::function<void()> undo) { actions_.push_back(std::move(undo)); }
    void dismiss() noexcept { actions_.clear(); }

private:
    std::vector<std::function<void()>> actions_;
};

}  // namespace netlib::sys
