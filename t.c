#include <textcat.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
int main(int argc, char **argv) {
  void *h = special_textcat_Init(argv[1], "/usr/share/libexttextcat/");
  textcat_SetProperty(h, TCPROP_UTF8AWARE, TC_TRUE);
  const char *txt = argv[2]; candidate_t *c = textcat_GetClassifyFullOutput(h);
  struct timespec a, b; clock_gettime(CLOCK_MONOTONIC, &a); int n = 0;
  for (int i = 0; i < 2000; i++) n = textcat_ClassifyFull(h, txt, strlen(txt), c);
  clock_gettime(CLOCK_MONOTONIC, &b);
  printf("%s: %.1f us/classify, %d cand, best %s\n", argv[1], ((b.tv_sec-a.tv_sec)*1e9+(b.tv_nsec-a.tv_nsec))/2000/1000.0, n, n>0?c[0].name:"-");
  return 0; }
