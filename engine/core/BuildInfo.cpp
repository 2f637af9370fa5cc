#include "core/BuildInfo.h"

#include <dlfcn.h>

#if defined(__x86_64__) && __has_include(<sys/platform/x86.h>)
#include <sys/platform/x86.h>
#define MEPROP_HAVE_X86_PLATFORM 1
#endif

#ifndef MEPROP_ENGINE_ISA
#define MEPROP_ENGINE_ISA "unknown"
#endif

namespace meprop {

const char* engineIsa()
{
    return MEPROP_ENGINE_ISA;
}

std::string engineLibraryPath()
{
    Dl_info info{};
    if (::dladdr(reinterpret_cast<const void*>(&engineIsa), &info) == 0 || !info.dli_fname) return {};
    return info.dli_fname;
}

bool cpuSupportsX86_64V3()
{
#ifdef MEPROP_HAVE_X86_PLATFORM
    // glibc's own list for the x86-64-v3 hwcaps subfolder (sysdeps/x86/get-isa-level.h).
    return CPU_FEATURE_ACTIVE(AVX) && CPU_FEATURE_ACTIVE(AVX2) && CPU_FEATURE_ACTIVE(BMI1) && CPU_FEATURE_ACTIVE(BMI2) &&
           CPU_FEATURE_ACTIVE(F16C) && CPU_FEATURE_ACTIVE(FMA) && CPU_FEATURE_ACTIVE(LZCNT) && CPU_FEATURE_ACTIVE(MOVBE) &&
           CPU_FEATURE_ACTIVE(OSXSAVE);
#else
    return false;
#endif
}

}  // namespace meprop
