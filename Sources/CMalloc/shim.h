// glibc's allocator controls (mallopt), which the Swift Glibc module does not export.
#include <malloc.h>
