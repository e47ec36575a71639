/* The program every image in this lab packages: it prints a line and the size of its own binary. */
#include <stdio.h>
#include <sys/stat.h>

int main(int argc, char **argv) {
    struct stat st;
    long size = stat(argv[0], &st) == 0 ? (long)st.st_size : -1;
    printf("hello from a lean container (my binary is %ld bytes)\n", size);
    return 0;
}
